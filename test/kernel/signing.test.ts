import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maskSecret, valueText, wechatPayV2 } from '../../src/kernel/signing.ts';

/*
 * Every expected string-to-sign below was written by hand from the algorithm's text in the specs
 * (opretail.md, storepos.md, jucai.md), and every expected digest was computed outside this code
 * base, with Python's hashlib and cross-checked with `openssl dgst`. The command is given beside
 * each vector; `$S` is the string-to-sign exactly as written in the test, e.g.
 *
 *   python3 -c 'import hashlib,sys;print(hashlib.md5(sys.argv[1].encode()).hexdigest().upper())' "$S"
 *   printf %s "$S" | openssl dgst -md5
 */

// The primitives: WeChat Pay v2's key-suffix scheme (超赢 signs the same way), values as text, masking.

const SECRET = 'Sx7TsecretSECRETsecret0123456789';

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

test('valueText and maskSecret', () => {
  assert.equal(valueText(null), '');
  assert.equal(valueText(undefined), '');
  assert.equal(valueText(0), '0');
  assert.equal(valueText(-1.25), '-1.25');
  assert.equal(valueText(true), 'true');
  assert.equal(valueText({ a: { b: [] } }), '{"a":{"b":[]}}');
  assert.equal(maskSecret(`${SECRET}a1b2${SECRET}`, SECRET), '<secret>a1b2<secret>');
  assert.ok(!maskSecret(`x${SECRET}y`, SECRET).includes(SECRET));
  assert.equal(maskSecret('abc', ''), 'abc');
});
