import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { ConfigError } from '../../src/kernel/settings.ts';
import { loadConfig } from '../../src/server/config.ts';
import { Metrics } from '../../src/server/metrics.ts';
import { createUpstreams } from '../../src/upstream/index.ts';
import { AliyunSms } from '../../src/upstream/sms/aliyun.ts';
import { TencentSms } from '../../src/upstream/sms/tencent.ts';
import { WebhookSms } from '../../src/upstream/sms/webhook.ts';
import { captureServer, rejectsWith, startSandbox, UPSTREAM_TIMEOUT_MS } from './helpers.ts';

const code = () => String(100000 + (randomBytes(3).readUIntBE(0, 3) % 900000));

/** Independent POP percent-encoding, byte by byte, from the documentation's table. */
const pop = (s: string) =>
  [...Buffer.from(s, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : '%' + b.toString(16).toUpperCase().padStart(2, '0'),
    )
    .join('');

function verifyAliyun(method: string, params: Record<string, string>, secret: string): boolean {
  const canonical = Object.keys(params)
    .filter((k) => k !== 'Signature')
    .sort()
    .map((k) => `${pop(k)}=${pop(params[k]!)}`)
    .join('&');
  const expected = createHmac('sha1', secret + '&')
    .update(`${method}&%2F&${pop(canonical)}`)
    .digest('base64');
  return expected === params.Signature;
}

function verifyTc3(headers: Record<string, string | string[] | undefined>, body: Buffer, secretKey: string): boolean {
  const m = /^TC3-HMAC-SHA256 Credential=(.+?)\/(.+?)\/sms\/tc3_request, SignedHeaders=content-type;host, Signature=([0-9a-f]+)$/.exec(
    String(headers.authorization),
  );
  if (!m) return false;
  const [, , date, signature] = m;
  const h = (x: string | Buffer) => createHash('sha256').update(x).digest('hex');
  const canonical = `POST\n/\n\ncontent-type:${headers['content-type']}\nhost:${headers.host}\n\ncontent-type;host\n${h(body)}`;
  const toSign = `TC3-HMAC-SHA256\n${headers['x-tc-timestamp']}\n${date}/sms/tc3_request\n${h(canonical)}`;
  const kDate = createHmac('sha256', 'TC3' + secretKey)
    .update(date!)
    .digest();
  const kService = createHmac('sha256', kDate).update('sms').digest();
  const kSigning = createHmac('sha256', kService).update('tc3_request').digest();
  return createHmac('sha256', kSigning).update(toSign).digest('hex') === signature;
}

test('sandbox provider: sends into the outbox; special mobiles refuse, time out and fail', async (t) => {
  const s = await startSandbox({ config: { upstreamTimeoutMs: UPSTREAM_TIMEOUT_MS } });
  t.after(() => s.close());
  const sms = s.k.core.upstreams.sms;
  assert.equal(sms.name, 'sandbox');
  const c = code();
  await sms.send('13800138000', c, 20);
  const { body } = await s.admin('/sandbox/sms?mobile=13800138000');
  assert.equal(body.messages.length, 1);
  assert.deepEqual(
    { ...body.messages[0], id: 0, at: 0 },
    {
      id: 0,
      at: 0,
      provider: 'sandbox',
      mobile: '13800138000',
      code: c,
      template: null,
      text: `【kaifang】您的验证码是${c}，20分钟内有效。`,
    },
  );
  const refused = await rejectsWith(() => sms.send('13900000001', c, 20), 'UpstreamRejected');
  assert.deepEqual([refused.upstream, refused.code], ['sandbox-sms', 'REJECTED']);
  const illegal = await rejectsWith(() => sms.send('1380013800', c, 20), 'UpstreamRejected');
  assert.equal(illegal.code, 'MOBILE_NUMBER_ILLEGAL');
  await rejectsWith(() => sms.send('13900000002', c, 20), 'UpstreamUnavailable');
  assert.equal((await rejectsWith(() => sms.send('13900000003', c, 20), 'UpstreamUnavailable')).status, 503);
  assert.equal((await s.admin('/sandbox/sms')).body.messages.length, 1, 'nothing else reached the outbox');
});

test('aliyun SendSms against its sandbox stand-in: signature checked with the configured secret, refusals mapped', async (t) => {
  const s = await startSandbox({
    config: { upstreamTimeoutMs: UPSTREAM_TIMEOUT_MS },
    env: {
      KAIFANG_SMS_PROVIDER: 'aliyun',
      KAIFANG_SMS_ALIYUN_ACCESS_KEY_ID: 'LTAIkf',
      KAIFANG_SMS_ALIYUN_ACCESS_KEY_SECRET: 'sec ret*~',
      KAIFANG_SMS_ALIYUN_SIGN_NAME: '开放平台',
      KAIFANG_SMS_ALIYUN_TEMPLATE_CODE: 'SMS_12345',
    },
  });
  t.after(() => s.close());
  const sms = s.k.core.upstreams.sms;
  assert.equal(sms.name, 'aliyun');
  const c = code();
  await sms.send('13800138001', c, 20);
  const [m] = (await s.admin('/sandbox/sms?mobile=13800138001')).body.messages;
  assert.deepEqual([m.provider, m.code, m.template, m.text], ['aliyun', c, 'SMS_12345', `【开放平台】您的验证码是${c}。`]);

  const cases: [string, string][] = [
    ['13900000001', 'isv.BUSINESS_LIMIT_CONTROL'],
    ['12345', 'isv.MOBILE_NUMBER_ILLEGAL'],
  ];
  for (const [mobile, expected] of cases) {
    const err = await rejectsWith(() => sms.send(mobile, c, 20), 'UpstreamRejected');
    assert.deepEqual([err.upstream, err.code], ['aliyun-sms', expected]);
    assert.ok(err.upstreamMessage.length > 0);
  }
  await rejectsWith(() => sms.send('13900000002', c, 20), 'UpstreamUnavailable');
  assert.equal((await rejectsWith(() => sms.send('13900000003', c, 20), 'UpstreamUnavailable')).status, 503);

  const endpoint = () => `${s.url}/sandbox/aliyun-sms`;
  const base = { endpoint, accessKeyId: 'LTAIkf', accessKeySecret: 'sec ret*~', signName: '开放平台', templateCode: 'SMS_12345' };
  const http = { timeoutMs: 1000 };
  const wrongSecret = await rejectsWith(
    () => new AliyunSms({ ...base, accessKeySecret: 'nope' }, http).send('13800138001', c, 20),
    'UpstreamRejected',
  );
  assert.equal(wrongSecret.code, 'SignatureDoesNotMatch');
  const wrongId = await rejectsWith(
    () => new AliyunSms({ ...base, accessKeyId: 'LTAIother' }, http).send('13800138001', c, 20),
    'UpstreamRejected',
  );
  assert.equal(wrongId.code, 'InvalidAccessKeyId.NotFound');
  const wrongSign = await rejectsWith(
    () => new AliyunSms({ ...base, signName: '别的' }, http).send('13800138001', c, 20),
    'UpstreamRejected',
  );
  assert.equal(wrongSign.code, 'isv.SMS_SIGNATURE_ILLEGAL');
  const stale = await rejectsWith(
    () => new AliyunSms({ ...base, now: () => new Date(Date.now() - 3600_000) }, http).send('13800138001', c, 20),
    'UpstreamRejected',
  );
  assert.equal(stale.code, 'InvalidTimeStamp.Expired');
  const fixedNonce = new AliyunSms({ ...base, nonce: () => `nonce-${c}` }, http);
  await fixedNonce.send('13800138001', c, 20);
  assert.equal((await rejectsWith(() => fixedNonce.send('13800138001', c, 20), 'UpstreamRejected')).code, 'SignatureNonceUsed');
  assert.equal((await s.admin('/sandbox/sms?mobile=13800138001')).body.messages.length, 2);
});

test('aliyun live request, checked by an independent verifier: form POST, documented parameters, signature', async (t) => {
  let answer = { status: 200, body: { RequestId: 'R', Code: 'OK', Message: 'OK', BizId: '1^0' } as object | string };
  const upstream = await captureServer((_req, _body, res) => {
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
  });
  t.after(() => upstream.close());
  const config = loadConfig({
    KAIFANG_UPSTREAM: 'live',
    KAIFANG_SMS_PROVIDER: 'aliyun',
    KAIFANG_SMS_ALIYUN_ENDPOINT: upstream.url,
    KAIFANG_SMS_ALIYUN_ACCESS_KEY_ID: 'LTAIlive',
    KAIFANG_SMS_ALIYUN_ACCESS_KEY_SECRET: 'live-secret',
    KAIFANG_SMS_ALIYUN_SIGN_NAME: '阿里云短信测试',
    KAIFANG_SMS_ALIYUN_TEMPLATE_CODE: 'SMS_154950909',
  });
  const { sms } = createUpstreams(config, new Metrics(false), () => 'http://unused');
  await sms.send('13800138000', '654321', 20);
  const req = upstream.requests[0]!;
  assert.equal(req.method, 'POST');
  assert.equal(req.url, '/');
  assert.equal(req.headers['content-type'], 'application/x-www-form-urlencoded');
  const params = Object.fromEntries(new URLSearchParams(req.body.toString('utf8')));
  assert.ok(verifyAliyun('POST', params, 'live-secret'), 'signature verifies independently');
  assert.ok(!verifyAliyun('POST', params, 'other-secret'));
  assert.deepEqual(
    { ...params, Signature: '-', SignatureNonce: '-', Timestamp: '-' },
    {
      AccessKeyId: 'LTAIlive',
      Action: 'SendSms',
      Format: 'JSON',
      PhoneNumbers: '13800138000',
      RegionId: 'cn-hangzhou',
      SignName: '阿里云短信测试',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: '-',
      SignatureVersion: '1.0',
      TemplateCode: 'SMS_154950909',
      TemplateParam: '{"code":"654321"}',
      Timestamp: '-',
      Version: '2017-05-25',
      Signature: '-',
    },
  );
  assert.match(params.Timestamp!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.ok(!req.body.toString().includes('live-secret'));

  answer = { status: 200, body: { RequestId: 'R', Code: 'isv.MOBILE_NUMBER_ILLEGAL', Message: '非法手机号' } };
  const illegal = await rejectsWith(() => sms.send('13800138000', '654321', 20), 'UpstreamRejected');
  assert.deepEqual([illegal.code, illegal.upstreamMessage], ['isv.MOBILE_NUMBER_ILLEGAL', '非法手机号']);
  answer = { status: 500, body: { Code: 'InternalError', Message: 'x' } };
  assert.equal((await rejectsWith(() => sms.send('13800138000', '654321', 20), 'UpstreamUnavailable')).status, 500);
  answer = { status: 200, body: '<html>' };
  await rejectsWith(() => sms.send('13800138000', '654321', 20), 'UpstreamUnavailable');
  assert.equal(upstream.requests.length, 4, 'never retried');
});

test('tencent SendSms against its sandbox stand-in: TC3 verified with the configured key, per-number refusals mapped', async (t) => {
  const s = await startSandbox({
    config: { upstreamTimeoutMs: UPSTREAM_TIMEOUT_MS },
    env: { KAIFANG_SMS_PROVIDER: 'tencent', KAIFANG_SMS_TENCENT_SECRET_KEY: 'tc-key', KAIFANG_SMS_TENCENT_SIGN_NAME: '开放' },
  });
  t.after(() => s.close());
  const sms = s.k.core.upstreams.sms;
  assert.equal(sms.name, 'tencent');
  const c = code();
  await sms.send('13800138002', c, 15);
  const [m] = (await s.admin('/sandbox/sms?mobile=13800138002')).body.messages;
  assert.deepEqual([m.provider, m.code, m.template, m.text], ['tencent', c, '100000', `【开放】您的验证码是${c}，15分钟内有效。`]);

  const refused = await rejectsWith(() => sms.send('13900000001', c, 15), 'UpstreamRejected');
  assert.deepEqual([refused.upstream, refused.code], ['tencent-sms', 'LimitExceeded.PhoneNumberDailyLimit']);
  const illegal = await rejectsWith(() => sms.send('1234', c, 15), 'UpstreamRejected');
  assert.equal(illegal.code, 'InvalidParameterValue.IncorrectPhoneNumber');
  await rejectsWith(() => sms.send('13900000002', c, 15), 'UpstreamUnavailable');
  await rejectsWith(() => sms.send('13900000003', c, 15), 'UpstreamUnavailable');

  const base = {
    endpoint: () => `${s.url}/sandbox/tencent-sms`,
    secretId: 'AKIDsandbox',
    secretKey: 'tc-key',
    sdkAppId: '1400000000',
    signName: '开放',
    templateId: '100000',
    region: 'ap-guangzhou',
    templateParams: 'code' as const,
  };
  const http = { timeoutMs: 1000 };
  await new TencentSms(base, http).send('13800138003', c, 15);
  assert.equal((await s.admin('/sandbox/sms?mobile=13800138003')).body.messages[0].text, `【开放】您的验证码是${c}。`);
  const errors: [Partial<typeof base> & { now?: () => number }, string][] = [
    [{ secretKey: 'wrong' }, 'AuthFailure.SignatureFailure'],
    [{ secretId: 'AKIDother' }, 'AuthFailure.SecretIdNotFound'],
    [{ now: () => Math.floor(Date.now() / 1000) - 3600 }, 'AuthFailure.SignatureExpire'],
    [{ sdkAppId: '1400999999' }, 'InvalidParameterValue.SdkAppIdNotExist'],
    [{ templateId: '1' }, 'FailedOperation.TemplateIncorrectOrUnapproved'],
  ];
  for (const [change, expected] of errors) {
    const err = await rejectsWith(() => new TencentSms({ ...base, ...change }, http).send('13800138003', c, 15), 'UpstreamRejected');
    assert.equal(err.code, expected);
  }
});

test('tencent live request, checked by an independent TC3 verifier: headers, body, Response.Error', async (t) => {
  let answer: object = {
    Response: { SendStatusSet: [{ Code: 'Ok', Message: 'send success', PhoneNumber: '+8613800138000' }], RequestId: 'r' },
  };
  const upstream = await captureServer((_req, _body, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer));
  });
  t.after(() => upstream.close());
  const config = loadConfig({
    KAIFANG_UPSTREAM: 'live',
    KAIFANG_SMS_PROVIDER: 'tencent',
    KAIFANG_SMS_TENCENT_ENDPOINT: upstream.url,
    KAIFANG_SMS_TENCENT_SECRET_ID: 'AKIDlive',
    KAIFANG_SMS_TENCENT_SECRET_KEY: 'live-key',
    KAIFANG_SMS_TENCENT_SDK_APP_ID: '1400787878',
    KAIFANG_SMS_TENCENT_SIGN_NAME: '腾讯云',
    KAIFANG_SMS_TENCENT_TEMPLATE_ID: '449739',
    KAIFANG_SMS_TENCENT_REGION: 'ap-beijing',
  });
  const { sms } = createUpstreams(config, new Metrics(false), () => 'http://unused');
  await sms.send('13800138000', '123456', 5);
  const req = upstream.requests[0]!;
  assert.equal(req.method, 'POST');
  assert.equal(req.headers['content-type'], 'application/json; charset=utf-8');
  assert.equal(req.headers['x-tc-action'], 'SendSms');
  assert.equal(req.headers['x-tc-version'], '2021-01-11');
  assert.equal(req.headers['x-tc-region'], 'ap-beijing');
  assert.match(String(req.headers['x-tc-timestamp']), /^\d{10}$/);
  assert.match(String(req.headers.authorization), /^TC3-HMAC-SHA256 Credential=AKIDlive\/\d{4}-\d\d-\d\d\/sms\/tc3_request, /);
  assert.ok(verifyTc3(req.headers, req.body, 'live-key'), 'signature verifies independently');
  assert.ok(!verifyTc3(req.headers, req.body, 'other-key'));
  assert.deepEqual(JSON.parse(req.body.toString('utf8')), {
    PhoneNumberSet: ['+8613800138000'],
    SmsSdkAppId: '1400787878',
    SignName: '腾讯云',
    TemplateId: '449739',
    TemplateParamSet: ['123456', '5'],
  });

  answer = { Response: { Error: { Code: 'AuthFailure.SignatureFailure', Message: 'bad' }, RequestId: 'r' } };
  const err = await rejectsWith(() => sms.send('13800138000', '123456', 5), 'UpstreamRejected');
  assert.deepEqual([err.upstream, err.code, err.upstreamMessage], ['tencent-sms', 'AuthFailure.SignatureFailure', 'bad']);
  answer = { Response: { RequestId: 'r' } };
  await rejectsWith(() => sms.send('13800138000', '123456', 5), 'UpstreamUnavailable');
});

test('webhook: HMAC-signed JSON POST verified by a receiver with node:crypto; non-2xx refused, 5xx unavailable', async (t) => {
  let status = 204;
  const seen: boolean[] = [];
  const receiver = await captureServer((req, body, res) => {
    const expected = 'sha256=' + createHmac('sha256', 'hook-secret').update(body).digest('hex');
    seen.push(req.headers['x-kaifang-signature'] === expected);
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(status === 429 ? 'too many\n   messages today' : '');
  });
  t.after(() => receiver.close());
  const config = loadConfig({
    KAIFANG_UPSTREAM: 'live',
    KAIFANG_SMS_PROVIDER: 'webhook',
    KAIFANG_SMS_WEBHOOK_URL: `${receiver.url}/sms?tenant=1`,
    KAIFANG_SMS_WEBHOOK_SECRET: 'hook-secret',
  });
  const { sms } = createUpstreams(config, new Metrics(false), () => 'http://unused');
  await sms.send('13800138000', '123456', 20);
  const req = receiver.requests[0]!;
  assert.equal(req.url, '/sms?tenant=1');
  assert.deepEqual(seen, [true]);
  const body = JSON.parse(req.body.toString('utf8'));
  assert.deepEqual(
    { ...body, requestId: '-', timestamp: '-' },
    { mobile: '13800138000', code: '123456', minutes: 20, requestId: '-', timestamp: '-' },
  );
  assert.equal(String(body.timestamp), req.headers['x-kaifang-timestamp']);
  assert.match(body.requestId, /^[0-9a-f-]{36}$/);

  status = 429;
  const refused = await rejectsWith(() => sms.send('13800138000', '123456', 20), 'UpstreamRejected');
  assert.deepEqual([refused.upstream, refused.code, refused.upstreamMessage], ['webhook', '429', 'too many messages today']);
  status = 502;
  assert.equal((await rejectsWith(() => sms.send('13800138000', '123456', 20), 'UpstreamUnavailable')).status, 502);
});

test('webhook in sandbox mode posts to the built-in receiver, which checks the signature', async (t) => {
  const s = await startSandbox({ env: { KAIFANG_SMS_PROVIDER: 'webhook' } });
  t.after(() => s.close());
  await s.k.core.upstreams.sms.send('13800138009', '111222', 20);
  assert.equal((await s.admin('/sandbox/sms?mobile=13800138009')).body.messages[0].provider, 'webhook');
  const forged = new WebhookSms({ url: () => `${s.url}/sandbox/sms/webhook`, secret: 'not-the-secret' }, { timeoutMs: 1000 });
  assert.equal((await rejectsWith(() => forged.send('13800138009', '111222', 20), 'UpstreamRejected')).code, '401');
  assert.equal((await rejectsWith(() => s.k.core.upstreams.sms.send('13900000001', '111222', 20), 'UpstreamRejected')).code, '429');
});

test('live mode refuses to start a provider without its settings, naming the setting', () => {
  const build = (env: Record<string, string>) =>
    createUpstreams(loadConfig({ KAIFANG_UPSTREAM: 'live', ...env }), new Metrics(false), () => '');
  assert.throws(
    () => build({ KAIFANG_SMS_PROVIDER: 'aliyun' }),
    (e: unknown) => e instanceof ConfigError && e.setting === 'KAIFANG_SMS_ALIYUN_ACCESS_KEY_ID',
  );
  assert.throws(
    () => build({ KAIFANG_SMS_PROVIDER: 'tencent', KAIFANG_SMS_TENCENT_SECRET_ID: 'x' }),
    (e: unknown) => e instanceof ConfigError && e.setting === 'KAIFANG_SMS_TENCENT_SECRET_KEY',
  );
  assert.throws(
    () => build({ KAIFANG_SMS_PROVIDER: 'webhook' }),
    (e: unknown) => e instanceof ConfigError && e.setting === 'KAIFANG_SMS_WEBHOOK_URL',
  );
  assert.throws(() => loadConfig({ KAIFANG_SMS_PROVIDER: 'twilio' }), ConfigError);
  // The outbox in live mode would send nothing: refused at start-up too, and `none` says so on purpose.
  assert.throws(
    () => build({}),
    (e: unknown) => e instanceof ConfigError && e.setting === 'KAIFANG_SMS_PROVIDER' && /none/.test(e.message),
  );
  assert.equal(build({ KAIFANG_SMS_PROVIDER: 'none' }).sms.name, 'none');
});

test('KAIFANG_SMS_PROVIDER=none refuses every send, saying SMS is off', async () => {
  const { sms } = createUpstreams(loadConfig({ KAIFANG_UPSTREAM: 'live', KAIFANG_SMS_PROVIDER: 'none' }), new Metrics(false), () => '');
  const err = await rejectsWith(() => sms.send('13800138000', '123456', 20), 'UpstreamRejected');
  assert.equal(err.code, 'NOT_CONFIGURED');
});

test('an SMS send is never retried, even on a refused connection', async () => {
  let calls = 0;
  const refused: typeof fetch = async () => {
    calls++;
    throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
  };
  const sms = new WebhookSms({ url: () => 'http://gateway.invalid/?secret=abc', secret: 's' }, { timeoutMs: 1000, fetch: refused });
  const err = await rejectsWith(() => sms.send('13800138000', '1', 1), 'UpstreamUnavailable');
  assert.equal(calls, 1);
  assert.ok(!err.message.includes('abc'), err.message);
});
