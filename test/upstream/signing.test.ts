import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aliyunCanonicalQuery, aliyunRpcSignature, popEncode } from '../../src/upstream/sms/aliyun.ts';
import { tc3Authorization, tc3Signature } from '../../src/upstream/sms/tencent.ts';
import { bodySignature } from '../../src/upstream/hmac.ts';

/*
 * Vectors from the providers' own documentation, each recomputed independently with Python's
 * hashlib/hmac/urllib.parse.quote(safe='-_.~') before being written here.
 */

test('Alibaba Cloud RPC signature: the documented SendSms example (testId/testSecret, Chinese SignName)', () => {
  const params = {
    AccessKeyId: 'testId',
    Action: 'SendSms',
    Format: 'XML',
    OutId: '123',
    PhoneNumbers: '15300000001',
    RegionId: 'cn-hangzhou',
    SignName: '阿里云短信测试专用',
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: '45e25e9b-0a6f-4070-8c85-2956eda1b466',
    SignatureVersion: '1.0',
    TemplateCode: 'SMS_71390007',
    TemplateParam: '{"customer":"test"}',
    Timestamp: '2017-07-12T02:42:19Z',
    Version: '2017-05-25',
  };
  assert.equal(
    aliyunCanonicalQuery(params),
    'AccessKeyId=testId&Action=SendSms&Format=XML&OutId=123&PhoneNumbers=15300000001&RegionId=cn-hangzhou&SignName=%E9%98%BF%E9%87%8C%E4%BA%91%E7%9F%AD%E4%BF%A1%E6%B5%8B%E8%AF%95%E4%B8%93%E7%94%A8&SignatureMethod=HMAC-SHA1&SignatureNonce=45e25e9b-0a6f-4070-8c85-2956eda1b466&SignatureVersion=1.0&TemplateCode=SMS_71390007&TemplateParam=%7B%22customer%22%3A%22test%22%7D&Timestamp=2017-07-12T02%3A42%3A19Z&Version=2017-05-25',
  );
  assert.equal(aliyunRpcSignature('GET', params, 'testSecret'), 'zJDF+Lrzhj/ThnlvIToysFRq6t4=');
  // A Signature already among the parameters is not signed.
  assert.equal(aliyunRpcSignature('GET', { ...params, Signature: 'x' }, 'testSecret'), 'zJDF+Lrzhj/ThnlvIToysFRq6t4=');
});

test('Alibaba Cloud RPC signature: the documented DescribeRegions example of the signature page', () => {
  const params = {
    AccessKeyId: 'testid',
    Action: 'DescribeRegions',
    Format: 'XML',
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
    SignatureVersion: '1.0',
    Timestamp: '2016-02-23T12:46:24Z',
    Version: '2014-05-26',
  };
  assert.equal(aliyunRpcSignature('GET', params, 'testsecret'), 'OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
});

test('Alibaba Cloud POP encoding, POST method, empty values and extra parameters', () => {
  assert.equal(popEncode("a b*~-_.!'()/=&+"), 'a%20b%2A~-_.%21%27%28%29%2F%3D%26%2B');
  assert.equal(popEncode('派'), '%E6%B4%BE');
  // python3: base64(hmac.new(b'k&', b'POST&%2F&A%3D%26B%3Dx%2520y', sha1))
  assert.equal(aliyunRpcSignature('POST', { B: 'x y', A: '' }, 'k'), '6JoE5UzAnuj46WgqFgLhvvKmfhU=');
});

test('TC3-HMAC-SHA256: the documented CVM DescribeInstances example', () => {
  const payload = '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}';
  const input = {
    secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE',
    service: 'cvm',
    host: 'cvm.tencentcloudapi.com',
    timestamp: 1551113065,
    payload,
  };
  assert.deepEqual(tc3Signature(input), {
    signature: '72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168',
    date: '2019-02-25',
    signedHeaders: 'content-type;host',
  });
  assert.equal(
    tc3Authorization('AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE', input),
    'TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168',
  );
});

test('TC3-HMAC-SHA256 over a non-ASCII SMS body and an empty body', () => {
  // python3 hashlib/hmac, same algorithm, payload UTF-8 encoded
  const sms = tc3Signature({
    secretKey: 'k',
    service: 'sms',
    host: '127.0.0.1:8080',
    timestamp: 1700000000,
    payload: '{"SignName":"开放"}',
  });
  assert.equal(sms.signature, '1969fea230614b0c6f37d46f1c7a321b52e3304a1d07caf598815e20c0338590');
  const empty = tc3Signature({ secretKey: 'k', service: 'sms', host: 'sms.tencentcloudapi.com', timestamp: 0, payload: '' });
  assert.equal(empty.date, '1970-01-01');
  assert.equal(empty.signature, '0761b75ad5a79f89fc8fdc0e5e9673531f02614e13ce8ae756c4d8fb76ac50ff');
});

test('webhook signature: sha256= hex HMAC of the raw body', () => {
  // printf '%s' '{"mobile":"13800138000","code":"123456"}' | openssl dgst -sha256 -hmac s3cret
  assert.equal(
    bodySignature('s3cret', '{"mobile":"13800138000","code":"123456"}'),
    'sha256=a89ba3d069cd6a7f52d617d1b1de5b3af1246e660c701c8ad7b3a1a993e6caf1',
  );
});
