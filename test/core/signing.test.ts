import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jucai, maskSecret, opretail, storepos, valueText, wechatPayV2 } from '../../src/core/signing.ts';

/*
 * Every expected string-to-sign below was written by hand from the algorithm's text in the specs
 * (opretail.md, storepos.md, jucai.md), and every expected digest was computed outside this code
 * base, with Python's hashlib and cross-checked with `openssl dgst`. The command is given beside
 * each vector; `$S` is the string-to-sign exactly as written in the test, e.g.
 *
 *   python3 -c 'import hashlib,sys;print(hashlib.md5(sys.argv[1].encode()).hexdigest().upper())' "$S"
 *   printf %s "$S" | openssl dgst -md5
 */

const SECRET = 'Sx7TsecretSECRETsecret0123456789';

// ---------------------------------------------------------------------------------------------
// Opretail: secret + name1value1name2value2… + secret; MD5 or SHA1; uppercase hex.
// ---------------------------------------------------------------------------------------------

const seedLike = {
  _aid: 'S107',
  _akey: 'S107-abcd1234',
  _mt: 'open.gateway.authentication',
  _sm: 'md5',
  _requestMode: 'post',
  _version: 'v1',
  _timestamp: '20250101120000',
  _sig: 'ignored: _sig is never signed',
};
const seedLikeString =
  SECRET +
  '_aidS107_akeyS107-abcd1234_mtopen.gateway.authentication_requestModepost_smmd5_timestamp20250101120000_versionv1' +
  SECRET;

test('opretail MD5: seed-like system parameters (sorted, _sig left out, secret on both sides)', () => {
  assert.equal(opretail.stringToSign(seedLike, SECRET), seedLikeString);
  // python3 -c 'import hashlib,sys;print(hashlib.md5(sys.argv[1].encode()).hexdigest().upper())' "$S"
  //   -> 21E2462BA429FBF3B867086802CFD4DA   (openssl dgst -md5: 21e2462ba429fbf3b867086802cfd4da)
  assert.equal(opretail.sign(seedLike, SECRET, 'md5'), '21E2462BA429FBF3B867086802CFD4DA');
});

test('opretail SHA1: the same parameters with _sm=sha1', () => {
  const params = { ...seedLike, _sm: 'sha1' };
  assert.equal(opretail.stringToSign(params, SECRET), seedLikeString.replace('_smmd5', '_smsha1'));
  // python3 -c 'import hashlib,sys;print(hashlib.sha1(sys.argv[1].encode()).hexdigest().upper())' "$S"
  //   -> F48BFA618CBF261B6FDD324D1CF3C3A2C002B57E   (openssl dgst -sha1 agrees)
  assert.equal(opretail.sign(params, SECRET, 'sha1'), 'F48BFA618CBF261B6FDD324D1CF3C3A2C002B57E');
});

test('opretail: empty value contributes its name, code-unit order (B < Z < _aid < a), Chinese value', () => {
  const params = { name: '万店掌 门店', a: '', _aid: 'S107', Z: '1', B: 'x' };
  const expected = SECRET + 'BxZ1_aidS107aname万店掌 门店' + SECRET;
  assert.equal(opretail.stringToSign(params, SECRET), expected);
  // md5 -> AB7F38D97B6F579719C5EC436310AC32 (openssl dgst -md5: ab7f38d97b6f579719c5ec436310ac32)
  assert.equal(opretail.sign(params, SECRET, 'md5'), 'AB7F38D97B6F579719C5EC436310AC32');
  // sha1 -> 29FB7A1BAC6CFFAB59A2768366DDE61B267642AC
  assert.equal(opretail.sign(params, SECRET, 'sha1'), '29FB7A1BAC6CFFAB59A2768366DDE61B267642AC');
});

test('opretail: JSON numbers, booleans, null (empty) and nested values (compact JSON)', () => {
  const params = {
    price: 12.5,
    off: false,
    obj: { b: 1, a: [1, 'x', null] },
    nothing: null,
    list: [1, 2],
    flag: true,
    count: 3,
  };
  const expected = SECRET + 'count3flagtruelist[1,2]nothingobj{"b":1,"a":[1,"x",null]}offfalseprice12.5' + SECRET;
  assert.equal(opretail.stringToSign(params, SECRET), expected);
  // md5 -> B62D7ED587335D620D4E8AEF18C4DA01 (openssl dgst -md5 agrees)
  assert.equal(opretail.sign(params, SECRET, 'md5'), 'B62D7ED587335D620D4E8AEF18C4DA01');
});

test('opretail: names sort by UTF-16 code unit, not code point (an astral name before U+FF5A)', () => {
  // U+1F600 is the surrogate pair D83D DE00; U+FF5A 'ｚ' is one unit FF5A. Java's compareTo and the
  // spec put the emoji first; a code-point sort (Python's sorted()) would put 'ｚ' first.
  const params = { 'ｚ': '1', '😀': '2' };
  const expected = SECRET + '😀2ｚ1' + SECRET;
  assert.equal(opretail.stringToSign(params, SECRET), expected);
  // md5 -> 7E6ECA3885253ED6DBE6F063702FA6C1
  assert.equal(opretail.sign(params, SECRET, 'md5'), '7E6ECA3885253ED6DBE6F063702FA6C1');
});

test('opretail verify: either case accepted, one changed character rejected', () => {
  const params = { ...seedLike };
  assert.equal(opretail.verify(params, SECRET, 'md5', '21E2462BA429FBF3B867086802CFD4DA'), true);
  assert.equal(opretail.verify(params, SECRET, 'md5', '21e2462ba429fbf3b867086802cfd4da'), true);
  assert.equal(opretail.verify(params, SECRET, 'md5', '21e2462BA429fbf3B867086802CFD4da'), true);
  assert.equal(opretail.verify(params, SECRET, 'md5', '21E2462BA429FBF3B867086802CFD4DB'), false);
  assert.equal(opretail.verify(params, SECRET, 'md5', '21E2462BA429FBF3B867086802CFD4D'), false);
  assert.equal(opretail.verify(params, SECRET, 'md5', ''), false);
  // the SHA1 signature is not accepted as MD5 and vice versa
  assert.equal(opretail.verify(params, SECRET, 'sha1', '21E2462BA429FBF3B867086802CFD4DA'), false);
  // one character of a value, of the secret, or an added parameter changes the signature
  assert.equal(opretail.verify({ ...params, _akey: 'S107-abcd1235' }, SECRET, 'md5', '21E2462BA429FBF3B867086802CFD4DA'), false);
  assert.equal(opretail.verify(params, SECRET.replace('S', 's'), 'md5', '21E2462BA429FBF3B867086802CFD4DA'), false);
  assert.equal(opretail.verify({ ...params, extra: '' }, SECRET, 'md5', '21E2462BA429FBF3B867086802CFD4DA'), false);
  // but _sig itself is not signed
  assert.equal(opretail.verify({ ...params, _sig: 'anything' }, SECRET, 'md5', '21E2462BA429FBF3B867086802CFD4DA'), true);
});

// ---------------------------------------------------------------------------------------------
// storepos / WeChat Pay v2: non-empty name=value pairs sorted, &key=KEY, MD5, uppercase.
// ---------------------------------------------------------------------------------------------

const AGENT_KEY = 'agentKey0123456789abcdef';

test('storepos: the seed\'s SMS request shape', () => {
  const params = { agent_id: '13000000000000000', version: '1.0', pid: 'yunpos', mobile: '13800000000', sign: '00000000000000000000000000000000' };
  const expected = 'agent_id=13000000000000000&mobile=13800000000&pid=yunpos&version=1.0&key=agentKey0123456789abcdef';
  assert.equal(storepos.stringToSign(params, AGENT_KEY), expected);
  // python3 -c 'import hashlib,sys;print(hashlib.md5(sys.argv[1].encode()).hexdigest().upper())' "$S"
  //   -> 995B2958FF3595DBE4066D0100BB4EE3 (openssl dgst -md5: 995b2958ff3595dbe4066d0100bb4ee3)
  assert.equal(storepos.sign(params, AGENT_KEY), '995B2958FF3595DBE4066D0100BB4EE3');
});

test('storepos: empty/null values dropped, unknown extra params signed, case-sensitive order, Chinese, numbers', () => {
  const params = {
    js_code: '023jh17A0TIixd1ql75A0aLc7A0jabcd',
    pid: '',
    nothing: null,
    absent: undefined,
    appid: 'wx4da448cd29920000',
    extra_field: '额外字段',
    agent_id: '13000000000000000',
    total_fee: 100,
    Zeta: 'z',
  };
  const expected =
    'Zeta=z&agent_id=13000000000000000&appid=wx4da448cd29920000&extra_field=额外字段&js_code=023jh17A0TIixd1ql75A0aLc7A0jabcd&total_fee=100&key=agentKey0123456789abcdef';
  assert.equal(storepos.stringToSign(params, AGENT_KEY), expected);
  // md5 -> 8820871F77C15FA01595E9D7C6990E26 (openssl dgst -md5: 8820871f77c15fa01595e9d7c6990e26)
  assert.equal(storepos.sign(params, AGENT_KEY), '8820871F77C15FA01595E9D7C6990E26');
  assert.equal(storepos.verify(params, AGENT_KEY, '8820871f77c15fa01595e9d7c6990e26'), true);
  assert.equal(storepos.verify({ ...params, pid: 'yunpos' }, AGENT_KEY, '8820871F77C15FA01595E9D7C6990E26'), false);
  assert.equal(storepos.verify(params, AGENT_KEY, '8820871F77C15FA01595E9D7C6990E27'), false);
  assert.equal(storepos.verify(params, AGENT_KEY + 'x', '8820871F77C15FA01595E9D7C6990E26'), false);
});

test('wechatPayV2: the published WeChat Pay v2 documentation example', () => {
  // WeChat Pay's "签名算法" page: key 192006250b4c09247ec02edce69f6a2d, sign 9A0A8659F005D6984697E2CA0A9CF3B7
  // (python3 hashlib md5 of the string below gives 9a0a8659f005d6984697e2ca0a9cf3b7).
  const params = { appid: 'wxd930ea5d5a258f4f', mch_id: '10000100', device_info: '1000', body: 'test', nonce_str: 'ibuaiVcKdpRxkhJA' };
  const key = '192006250b4c09247ec02edce69f6a2d';
  assert.equal(
    wechatPayV2.stringToSign(params, key),
    'appid=wxd930ea5d5a258f4f&body=test&device_info=1000&mch_id=10000100&nonce_str=ibuaiVcKdpRxkhJA&key=192006250b4c09247ec02edce69f6a2d',
  );
  assert.equal(wechatPayV2.sign(params, key), '9A0A8659F005D6984697E2CA0A9CF3B7');
});

// ---------------------------------------------------------------------------------------------
// jucai: as storepos over top-level JSON fields (null/empty dropped), MD5, lowercase hex.
// ---------------------------------------------------------------------------------------------

const APP_SECRET = 'jucaiAppSecret0123456789';

test('jucai: the seed\'s request example (empty subAppid dropped), lowercase hex', () => {
  const params = {
    appId: 'MCH_A698612520',
    authCode: '134291427096188722',
    clientIp: '127.0.0.1',
    mchNo: 'MCH_I293975931',
    mchOrderNo: '2023041709270000001',
    sign: 'd012419a8968d6e9e000bc557e72f4bd',
    subAppid: '',
    termId: '12345678',
    version: '1.0',
    wayCode: 'WECHAT',
  };
  const expected =
    'appId=MCH_A698612520&authCode=134291427096188722&clientIp=127.0.0.1&mchNo=MCH_I293975931&mchOrderNo=2023041709270000001&termId=12345678&version=1.0&wayCode=WECHAT&key=jucaiAppSecret0123456789';
  assert.equal(jucai.stringToSign(params, APP_SECRET), expected);
  // python3 -c 'import hashlib,sys;print(hashlib.md5(sys.argv[1].encode()).hexdigest())' "$S"
  //   -> bea12c39932c06fe793a987e96e8c8aa (openssl dgst -md5 agrees)
  assert.equal(jucai.sign(params, APP_SECRET), 'bea12c39932c06fe793a987e96e8c8aa');
  assert.equal(jucai.verify(params, APP_SECRET, 'BEA12C39932C06FE793A987E96E8C8AA'), true);
  assert.equal(jucai.verify(params, APP_SECRET, 'bea12c39932c06fe793a987e96e8c8ab'), false);
  assert.equal(jucai.verify({ ...params, termId: '12345679' }, APP_SECRET, 'bea12c39932c06fe793a987e96e8c8aa'), false);
});

test('jucai: null dropped, false and numbers kept as text, non-ASCII value', () => {
  const params = { remark: '聚合收款 ¥1', note: null, flag: false, amount: 100, mchNo: 'MCH_I293975931', sign: '' };
  const expected = 'amount=100&flag=false&mchNo=MCH_I293975931&remark=聚合收款 ¥1&key=jucaiAppSecret0123456789';
  assert.equal(jucai.stringToSign(params, APP_SECRET), expected);
  // md5 -> 4cda018d88154ca843d926e7f9b4a323 (openssl dgst -md5 agrees)
  assert.equal(jucai.sign(params, APP_SECRET), '4cda018d88154ca843d926e7f9b4a323');
});

test('jucai: name=value strings sorted whole and case-insensitively (JeepayKit.getStrSort), not by name in code-unit order', () => {
  // Where the two orders part: "a-b=" before "a=" ('-' < '='), "mch_no=" before "mchNo=" ('_' < 'n'
  // once folded), "alpha" before "Zeta". Worked out by hand from Java's CASE_INSENSITIVE_ORDER.
  const params = { mchNo: '1', mch_no: '2', Zeta: 'z', alpha: 'a', 'a-b': 'x', a: 'y', reqTime: '', signType: null };
  const expected = 'a-b=x&a=y&alpha=a&mch_no=2&mchNo=1&Zeta=z&key=jucaiAppSecret0123456789';
  assert.equal(jucai.stringToSign(params, APP_SECRET), expected);
  // python3 hashlib.md5 and openssl dgst -md5 -> 111ec351fc8a2e3140ab7baab41f9c52
  assert.equal(jucai.sign(params, APP_SECRET), '111ec351fc8a2e3140ab7baab41f9c52');
  assert.notEqual(storepos.stringToSign(params, APP_SECRET), expected, 'the storepos (code-unit, by name) order differs here');
});

test('the keyed schemes differ only in the case of the hex they emit (where the orders agree)', () => {
  const params = { b: '2', a: '1' };
  assert.equal(storepos.sign(params, 'k'), jucai.sign(params, 'k').toUpperCase());
  assert.match(jucai.sign(params, 'k'), /^[0-9a-f]{32}$/);
  assert.match(storepos.sign(params, 'k'), /^[0-9A-F]{32}$/);
});

test('valueText and maskSecret', () => {
  assert.equal(valueText(null), '');
  assert.equal(valueText(undefined), '');
  assert.equal(valueText(0), '0');
  assert.equal(valueText(-1.25), '-1.25');
  assert.equal(valueText(true), 'true');
  assert.equal(valueText({ a: { b: [] } }), '{"a":{"b":[]}}');
  assert.equal(maskSecret(seedLikeString, SECRET), '<secret>' + seedLikeString.slice(SECRET.length, -SECRET.length) + '<secret>');
  assert.ok(!maskSecret(seedLikeString, SECRET).includes(SECRET));
  assert.equal(maskSecret('abc', ''), 'abc');
});
