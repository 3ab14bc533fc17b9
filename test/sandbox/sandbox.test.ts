import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { startServer } from '../helpers/server.ts';
import { aliyunRpcSignature } from '../../src/upstream/sms/aliyun.ts';

const get = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
};

test('WeChat simulator speaks the jscode2session wire protocol, parameter errors included', async (t) => {
  const s = await startServer();
  t.after(() => s.close());
  const base = `${s.url}/sandbox/wechat/sns/jscode2session`;
  const ok = await get(`${base}?appid=wx1&secret=s&js_code=sandbox-ann-1&grant_type=authorization_code`);
  assert.equal(ok.status, 200);
  assert.equal(ok.type, 'text/plain', 'WeChat answers JSON as text/plain');
  const session = JSON.parse(ok.text);
  assert.deepEqual(Object.keys(session).sort(), ['openid', 'session_key']);
  const errcode = async (query: string) => JSON.parse((await get(`${base}?${query}`)).text).errcode;
  assert.equal(await errcode('secret=s&js_code=sandbox-a&grant_type=authorization_code'), 41002);
  assert.equal(await errcode('appid=wx1&js_code=sandbox-a&grant_type=authorization_code'), 41004);
  assert.equal(await errcode('appid=wx1&secret=&js_code=sandbox-a&grant_type=authorization_code'), 40125);
  assert.equal(await errcode('appid=wx1&secret=s&grant_type=authorization_code'), 41008);
  assert.equal(await errcode('appid=wx1&secret=s&js_code=sandbox-a'), 40002);
  assert.equal(await errcode('appid=wx1&secret=s&js_code=sandbox-ann-1&grant_type=authorization_code'), 40163);
  assert.equal(await errcode(`appid=wx1&secret=s&js_code=${'sandbox-' + 'x'.repeat(65)}&grant_type=authorization_code`), 40029);

  const identity = JSON.parse((await get(`${s.url}/sandbox/wechat/identity?appid=wx1&user=ann`)).text);
  assert.equal(identity.openid, session.openid);
  assert.match(identity.js_code, /^sandbox-ann-[0-9a-f]{8}$/);
  const fromIdentity = JSON.parse((await get(`${base}?appid=wx1&secret=s&js_code=${identity.js_code}&grant_type=authorization_code`)).text);
  assert.equal(fromIdentity.openid, identity.openid);
  assert.equal((await get(`${s.url}/sandbox/wechat/identity?appid=wx1&user=a-b`)).status, 400);
});

test('live mode mounts no simulators', async (t) => {
  const s = await startServer({ env: { KAIFANG_UPSTREAM: 'live', KAIFANG_SMS_PROVIDER: 'none' } });
  t.after(() => s.close());
  assert.equal(
    (await get(`${s.url}/sandbox/wechat/sns/jscode2session?appid=a&secret=b&js_code=sandbox-a&grant_type=authorization_code`)).status,
    404,
  );
  assert.equal((await fetch(`${s.url}/sandbox/sms/send`, { method: 'POST' })).status, 404);
});

test('admin outbox: newest first, filter by mobile, limit, validation, clear, and the admin token', async (t) => {
  const s = await startServer();
  t.after(() => s.close());
  const send = (mobile: string, code: string) =>
    fetch(`${s.url}/sandbox/sms/send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mobile, code, minutes: 20 }),
    });
  for (const [mobile, code] of [
    ['13800000001', '111111'],
    ['13800000002', '222222'],
    ['13800000001', '333333'],
  ] as const) {
    const res = await send(mobile, code);
    assert.deepEqual(await res.json(), { status: 'SENT' });
  }
  const all = await s.admin('/sandbox/sms');
  assert.equal(all.status, 200);
  assert.deepEqual(
    all.body.messages.map((m: { code: string }) => m.code),
    ['333333', '222222', '111111'],
  );
  assert.ok(
    all.body.messages.every(
      (m: { at: string; id: number }) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(m.at) && typeof m.id === 'number',
    ),
    'times in admin JSON are ISO 8601 UTC',
  );
  const one = await s.admin('/sandbox/sms?mobile=13800000001&limit=1');
  assert.deepEqual(
    one.body.messages.map((m: { code: string }) => m.code),
    ['333333'],
  );
  assert.equal((await s.admin('/sandbox/sms?limit=0')).body.error.param, 'limit');
  assert.equal((await s.admin('/sandbox/sms?limit=abc')).status, 400);
  assert.equal((await s.admin('/sandbox/sms?mobile=abc')).body.error.param, 'mobile');
  assert.equal((await fetch(`${s.url}/admin/api/sandbox/sms`)).status, 401);
  assert.equal((await fetch(`${s.url}/admin/api/sandbox/sms`, { method: 'DELETE' })).status, 401);
  const cleared = await s.admin('/sandbox/sms', { method: 'DELETE' });
  assert.deepEqual(cleared.body, { deleted: 3 });
  assert.deepEqual((await s.admin('/sandbox/sms')).body, { messages: [] });

  const bad = await fetch(`${s.url}/sandbox/sms/send`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
  assert.equal(bad.status, 400);
  assert.equal((await bad.json()).status, 'REJECTED');
});

test('Alibaba simulator accepts the GET form of the RPC call too, and rejects a tampered parameter', async (t) => {
  const s = await startServer({ env: { KAIFANG_SMS_PROVIDER: 'aliyun' } });
  t.after(() => s.close());
  const params: Record<string, string> = {
    AccessKeyId: 'sandbox-aliyun-id',
    Action: 'SendSms',
    Format: 'JSON',
    PhoneNumbers: '13800138000',
    SignName: 'kaifang',
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: `n-${Date.now()}`,
    SignatureVersion: '1.0',
    TemplateCode: 'SMS_000000',
    TemplateParam: '{"code":"424242"}',
    Timestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    Version: '2017-05-25',
  };
  params.Signature = aliyunRpcSignature('GET', params, 'sandbox-aliyun-secret');
  const ok = await fetch(`${s.url}/sandbox/aliyun-sms/?${new URLSearchParams(params)}`);
  assert.equal((await ok.json()).Code, 'OK');
  const tampered = await fetch(
    `${s.url}/sandbox/aliyun-sms/?${new URLSearchParams({ ...params, SignatureNonce: 'other', PhoneNumbers: '13800138001' })}`,
  );
  assert.equal(tampered.status, 400);
  assert.equal((await tampered.json()).Code, 'SignatureDoesNotMatch');
  // The same signed request posted as a POST does not verify: the method is signed.
  const asPost = await fetch(`${s.url}/sandbox/aliyun-sms`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...params }).toString(),
  });
  assert.equal((await asPost.json()).Code, 'SignatureDoesNotMatch');
  const outbox = await s.admin('/sandbox/sms');
  assert.deepEqual(
    outbox.body.messages.map((m: { code: string }) => m.code),
    ['424242'],
  );
});

test('Tencent simulator refuses unsigned, mis-headed and stale requests with Response.Error', async (t) => {
  const s = await startServer({ env: { KAIFANG_SMS_PROVIDER: 'tencent' } });
  t.after(() => s.close());
  const post = async (headers: Record<string, string>) => {
    const res = await fetch(`${s.url}/sandbox/tencent-sms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
      body: '{}',
    });
    assert.equal(res.status, 200);
    return (await res.json()).Response.Error.Code as string;
  };
  const now = String(Math.floor(Date.now() / 1000));
  const h = { 'x-tc-action': 'SendSms', 'x-tc-version': '2021-01-11', 'x-tc-region': 'ap-guangzhou', 'x-tc-timestamp': now };
  assert.equal(await post({ ...h, 'x-tc-action': 'DescribeInstances' }), 'InvalidAction');
  assert.equal(await post(h), 'AuthFailure.InvalidAuthorization');
  assert.equal(await post({ ...h, 'x-tc-timestamp': '1551113065' }), 'AuthFailure.SignatureExpire');
  const date = new Date(Number(now) * 1000).toISOString().slice(0, 10);
  const fake = `TC3-HMAC-SHA256 Credential=AKIDsandbox/${date}/sms/tc3_request, SignedHeaders=content-type;host, Signature=${createHmac('sha256', 'x').update('y').digest('hex')}`;
  assert.equal(await post({ ...h, authorization: fake }), 'AuthFailure.SignatureFailure');
});
