import { test } from 'node:test';
import assert from 'node:assert/strict';
import { storepos } from '../signing.ts';

/*
 * Every expected string-to-sign below was written by hand from the algorithm's text in the specs
 * (opretail.md, storepos.md, jucai.md), and every expected digest was computed outside this code
 * base, with Python's hashlib and cross-checked with `openssl dgst`. The command is given beside
 * each vector; `$S` is the string-to-sign exactly as written in the test, e.g.
 *
 *   python3 -c 'import hashlib,sys;print(hashlib.md5(sys.argv[1].encode()).hexdigest().upper())' "$S"
 *   printf %s "$S" | openssl dgst -md5
 */

// storepos / WeChat Pay v2: non-empty name=value pairs sorted, &key=KEY, MD5, uppercase.

const AGENT_KEY = 'agentKey0123456789abcdef';

test("storepos: the seed's SMS request shape", () => {
  const params = {
    agent_id: '13000000000000000',
    version: '1.0',
    pid: 'yunpos',
    mobile: '13800000000',
    sign: '00000000000000000000000000000000',
  };
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
