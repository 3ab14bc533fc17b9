import { test } from 'node:test';
import assert from 'node:assert/strict';
import { opretail } from '../signing.ts';

/*
 * Every expected string-to-sign below was written by hand from the algorithm's text in the specs
 * (opretail.md, storepos.md, jucai.md), and every expected digest was computed outside this code
 * base, with Python's hashlib and cross-checked with `openssl dgst`. The command is given beside
 * each vector; `$S` is the string-to-sign exactly as written in the test, e.g.
 *
 *   python3 -c 'import hashlib,sys;print(hashlib.md5(sys.argv[1].encode()).hexdigest().upper())' "$S"
 *   printf %s "$S" | openssl dgst -md5
 */

// Opretail: secret + name1value1name2value2… + secret; MD5 or SHA1; uppercase hex.

const SECRET = 'Sx7TsecretSECRETsecret0123456789';
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
  SECRET + '_aidS107_akeyS107-abcd1234_mtopen.gateway.authentication_requestModepost_smmd5_timestamp20250101120000_versionv1' + SECRET;

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
  const params = { ｚ: '1', '😀': '2' };
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
