import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wechatPayV2 } from '../../../kernel/signing.ts';
import { jucai } from '../signing.ts';
import { readRequest } from '../params.ts';

/*
 * Every expected string-to-sign below was written by hand from the algorithm's text in the specs
 * (opretail.md, storepos.md, jucai.md), and every expected digest was computed outside this code
 * base, with Python's hashlib and cross-checked with `openssl dgst`. The command is given beside
 * each vector; `$S` is the string-to-sign exactly as written in the test, e.g.
 *
 *   python3 -c 'import hashlib,sys;print(hashlib.md5(sys.argv[1].encode()).hexdigest().upper())' "$S"
 *   printf %s "$S" | openssl dgst -md5
 */

// jucai: as storepos over top-level JSON fields (null/empty dropped), MD5, lowercase hex.

const APP_SECRET = 'jucaiAppSecret0123456789';

test("jucai: the seed's request example (empty subAppid dropped), lowercase hex", () => {
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
  assert.notEqual(
    wechatPayV2.stringToSign(params, APP_SECRET),
    expected,
    'the WeChat Pay v2 / 超赢 (code-unit, by name) order differs here',
  );
});

test('the keyed schemes differ only in the case of the hex they emit (where the orders agree)', () => {
  const params = { b: '2', a: '1' };
  assert.equal(wechatPayV2.sign(params, 'k'), jucai.sign(params, 'k').toUpperCase());
  assert.match(jucai.sign(params, 'k'), /^[0-9a-f]{32}$/);
  assert.match(wechatPayV2.sign(params, 'k'), /^[0-9A-F]{32}$/);
});

test('jucai: the strings sorted are "name=value&", as JeepayKit.getStrSort builds them (differs when one string is a prefix of another)', () => {
  // Jeepay sorts "x=1&" and "x=1!y=2&": at the 4th character '&' (38) comes after '!' (33), so the
  // longer string sorts first; sorting "x=1" and "x=1!y=2" would put the prefix first. Likewise
  // for names that differ only in case: "A=1&" and "a=1$&" fold to "a=1&" / "a=1$&", '$' (36) first.
  // python3 -c 'import hashlib,sys;print(hashlib.md5(sys.argv[1].encode()).hexdigest())' "$S"
  const prefix = { x: '1', 'x=1!y': '2' };
  assert.equal(jucai.stringToSign(prefix, APP_SECRET), 'x=1!y=2&x=1&key=jucaiAppSecret0123456789');
  assert.equal(jucai.sign(prefix, APP_SECRET), '3498535587bcd8f4cb83a3c378579d58');
  const cases = { A: '1', a: '1$' };
  assert.equal(jucai.stringToSign(cases, APP_SECRET), 'a=1$&A=1&key=jucaiAppSecret0123456789');
  assert.equal(jucai.sign(cases, APP_SECRET), 'dd6d62952b0afee70e09edac39ded7a1');
});

test("jucai: a number is signed as the JSON text it arrived as (fastjson keeps 1.50): readRequest hands the signer the body's own text", () => {
  const text =
    '{"termId":"88888888","mchNo":"MCH_I293975931","appId":"MCH_A698612520","mchOrderNo":"ORDER0001","wayCode":"WECHAT",' +
    '"authCode":"134291427096188722","clientIp":"127.0.0.1","amt":1.50,"big":12345678901234567890,"e":1e2,"z":-0,"t":true,"n":null}';
  const read = readRequest({ type: 'json', value: JSON.parse(text), text });
  assert.deepEqual(
    { amt: read.signed.amt, big: read.signed.big, e: read.signed.e, z: read.signed.z, t: read.signed.t, n: read.signed.n },
    { amt: '1.50', big: '12345678901234567890', e: '1e2', z: '-0', t: true, n: null },
  );
  const S =
    'amt=1.50&appId=MCH_A698612520&authCode=134291427096188722&big=12345678901234567890&clientIp=127.0.0.1&e=1e2&' +
    'mchNo=MCH_I293975931&mchOrderNo=ORDER0001&t=true&termId=88888888&wayCode=WECHAT&z=-0&key=jucaiAppSecret0123456789';
  assert.equal(jucai.stringToSign(read.signed, APP_SECRET), S);
  // python3 -c 'import hashlib,sys;print(hashlib.md5(sys.argv[1].encode()).hexdigest())' "$S"
  assert.equal(jucai.sign(read.signed, APP_SECRET), 'f07284d1ab73f89d761afea0b363f92d');
});

test('jucai.orderedFor: the same string as stringToSign for any values of a fixed set of names; names whose order values could decide are refused', () => {
  // A reply's names, and a set with names that are prefixes of others in any case ("mch", "MchNo",
  // "mchno_x"), where the '=' after the shorter name meets a letter of the longer.
  const sets = [
    ['returnCode', 'returnMsg', 'termId', 'randomStr', 'orgId', 'mchNo', 'mchOrderNo', 'appid', 'openid', 'subAppid', 'subOpenid'],
    ['mch', 'MchNo', 'mchno_x', 'b', 'B_', 'z', 'Z0', '_', 'é'],
  ];
  // Values that start below and above '=' (61) and '&' (38), empty ones (dropped), non-ASCII.
  const values = ['', '', '0', '!', '&x', '=', '>', 'A', 'a', 'zz', '开放', 'Ω', '1.50', ' '];
  let seed = 7;
  const pick = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return values[(seed >>> 8) % values.length]!;
  };
  for (const names of sets) {
    const ordered = jucai.orderedFor(names);
    for (let i = 0; i < 2000; i++) {
      const fields = Object.fromEntries(names.map((n) => [n, pick()]));
      assert.equal(ordered(fields, APP_SECRET), jucai.stringToSign(fields, APP_SECRET), JSON.stringify(fields));
    }
  }
  // The two cases above where a value decides the order: a name with '=', names equal but for case.
  assert.throws(() => jucai.orderedFor(['x', 'x=1!y']), /cannot have a fixed order/);
  assert.throws(() => jucai.orderedFor(['A', 'a']), /differ only in case/);
  assert.throws(() => jucai.orderedFor(['sign', 'a']), /cannot have a fixed order/);
});
