import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { Backend } from '../../../../test/helpers/backends.ts';
import { startServer, type TestServer } from '../../../../test/helpers/server.ts';

/**
 * The jucai signature written again from JeepayKit.getSign, apart from src/fronts/jucai/signing.ts:
 * non-empty top-level fields but `sign` as `name=value&`, those strings sorted with Java's
 * CASE_INSENSITIVE_ORDER (for ASCII: the lower-cased strings compared), concatenated, `key=SECRET`
 * after them, MD5 hex. Values as JavaScript writes them (a test that needs a number's own text
 * passes it as a string).
 */
export function independentSign(fields: Record<string, unknown>, secret: string): string {
  const parts = Object.entries(fields)
    .filter(([name, value]) => name !== 'sign' && value !== null && value !== undefined && String(value) !== '')
    .map(([name, value]) => `${name}=${String(value)}&`);
  parts.sort((a, b) => {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  });
  return createHash('md5')
    .update(parts.join('') + `key=${secret}`, 'utf8')
    .digest('hex');
}

/**
 * The Jeepay SDK's `JeepayResponse.checkSign(apiKey)`, as written there: `data == null` and an
 * empty `sign` → true; otherwise `sign.equals(JeepayKit.getSign(data, apiKey))`, which throws a
 * NullPointerException when `sign` or `data` is null (reported here as 'NPE'). The SDK's getSign
 * upper-cases its digest and equals() is case-sensitive: `caseSensitive: false` is the change a
 * merchant makes for the lower-case signs of 巨彩 (README), the default is the SDK unchanged.
 */
export function jeepayCheckSign(reply: Reply, apiKey: string, options: { caseSensitive?: boolean } = {}): boolean | 'NPE' {
  const sign = reply.sign ?? null;
  if (reply.data === null && (sign === null || sign === '')) return true;
  if (sign === null || reply.data === null) return 'NPE';
  const expected = independentSign(reply.data, apiKey).toUpperCase();
  return options.caseSensitive === false ? sign.toUpperCase() === expected : sign === expected;
}

export interface Reply {
  code: number;
  msg: string;
  data: Record<string, string> | null;
  sign?: string;
}

/** Checks the reply's shape, and its sign when it has data for a caller that proved it holds `secret` (`secret` null or no data: no sign). */
export function assertReply(reply: Reply, secret: string | null): void {
  assert.deepEqual(
    Object.keys(reply).filter((k) => k !== 'sign'),
    ['code', 'msg', 'data'],
    JSON.stringify(reply),
  );
  assert.equal(typeof reply.code, 'number');
  assert.equal(typeof reply.msg, 'string');
  if (secret === null || reply.data === null) {
    assert.equal(reply.sign, undefined, `an unsigned reply: ${JSON.stringify(reply)}`);
    return;
  }
  assert.equal(reply.sign, independentSign(reply.data ?? {}, secret), `reply sign of ${JSON.stringify(reply)}`);
  if (reply.data) {
    assert.deepEqual(Object.keys(reply.data), [
      'returnCode',
      'returnMsg',
      'termId',
      'randomStr',
      'orgId',
      'mchNo',
      'mchOrderNo',
      'appid',
      'openid',
      'subAppid',
      'subOpenid',
    ]);
    assert.match(reply.data.randomStr!, /^[A-Z0-9]{32}$/);
  }
}

/** The documented sandbox credentials (README), written here rather than imported. */
export const SANDBOX_WECHATPAY_KEY = 'kaifangSandboxWechatPayKey000000';
export const SANDBOX_BRIDGE_SECRET = 'kaifang-sandbox-bridge-secret';

export interface JucaiFixture {
  s: TestServer;
  isvNo: string;
  mchNo: string;
  appId: string;
  secret: string;
  payMchId: string;
  payAppid: string;
  /** Raw POST of `fields` (signed independently unless `sign` is in them), answer parsed. */
  post(fields: Record<string, unknown>, options?: { raw?: string; contentType?: string; secret?: string; url?: string }): Promise<Reply>;
  /** A request's fields, unique order number, WECHAT with a fresh sandbox code unless given. */
  fields(over?: Record<string, unknown>): Record<string, unknown>;
  /** How many authcodetoopenid queries this server's WeChat Pay simulator got. */
  wechatPayCalls(url?: string): Promise<number>;
  close(): Promise<void>;
}

let seq = 0;
export const orderNo = () => `T${Date.now()}${String(++seq).padStart(4, '0')}`.slice(0, 30);
/** A payment code (18 digits starting 13) no reserved input uses. */
export const paymentCode = () =>
  `13${BigInt('0x' + randomBytes(8).toString('hex'))
    .toString()
    .padStart(16, '0')
    .slice(-16)}`;

/**
 * A server with an ISV, a merchant, an app, a WeChat Pay merchant and both channels. `env` over the
 * test defaults (an 800-ms upstream timeout); `bridgeUrl` the UNIONPAY channel's (in sandbox mode
 * every bridge is the simulator, whatever it says); `captureLogs` keeps the log lines.
 */
export async function jucaiFixture(
  backend: Backend['name'],
  env: Record<string, string> = {},
  options: { bridgeUrl?: string; captureLogs?: boolean } = {},
): Promise<JucaiFixture> {
  const s = await startServer({ backend, env: { KAIFANG_UPSTREAM_TIMEOUT_MS: '800', ...env }, captureLogs: options.captureLogs ?? false });
  const isv = await s.admin('/jucai/isvs', { body: { name: 'test ISV' } });
  assert.equal(isv.status, 201, JSON.stringify(isv.body));
  const mch = await s.admin('/jucai/merchants', { body: { isvNo: isv.body.isvNo, name: 'test merchant' } });
  assert.equal(mch.status, 201, JSON.stringify(mch.body));
  const app = await s.admin('/jucai/apps', { body: { mchNo: mch.body.mchNo, name: 'test app' } });
  assert.equal(app.status, 201, JSON.stringify(app.body));
  const payMchId = String(1_900_000_000 + Math.floor(Math.random() * 99_999_999));
  const payAppid = 'wx' + randomBytes(8).toString('hex');
  const pay = await s.admin('/wechat/pay-merchants', { body: { mchId: payMchId, appid: payAppid, key: SANDBOX_WECHATPAY_KEY } });
  assert.equal(pay.status, 201, JSON.stringify(pay.body));
  const wechat = await s.admin(`/jucai/merchants/${mch.body.mchNo}/channels/WECHAT`, {
    method: 'PUT',
    body: { wechatPayMchId: payMchId, subMchId: '1900000110' },
  });
  assert.equal(wechat.status, 200, JSON.stringify(wechat.body));
  const unionpay = await s.admin(`/jucai/merchants/${mch.body.mchNo}/channels/UNIONPAY`, {
    method: 'PUT',
    body: {
      bridgeUrl: options.bridgeUrl ?? 'https://bridge.acquirer.example/userid',
      merchantNo: '898310048990001',
      secret: SANDBOX_BRIDGE_SECRET,
    },
  });
  assert.equal(unionpay.status, 200, JSON.stringify(unionpay.body));
  const f: JucaiFixture = {
    s,
    isvNo: isv.body.isvNo,
    mchNo: mch.body.mchNo,
    appId: app.body.appId,
    secret: app.body.secret,
    payMchId,
    payAppid,
    fields: (over = {}) => ({
      version: '1.0',
      termId: '12345678',
      mchNo: f.mchNo,
      appId: f.appId,
      mchOrderNo: orderNo(),
      wayCode: 'WECHAT',
      authCode: paymentCode(),
      clientIp: '127.0.0.1',
      ...over,
    }),
    async post(fields, options = {}) {
      const body =
        options.raw ?? JSON.stringify('sign' in fields ? fields : { ...fields, sign: independentSign(fields, options.secret ?? f.secret) });
      const res = await fetch((options.url ?? s.url) + '/pay/api/1.0/auth2OpenId', {
        method: 'POST',
        headers: { 'content-type': options.contentType ?? 'application/json' },
        body,
      });
      assert.equal(res.status, 200, `HTTP ${res.status}`);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      return (await res.json()) as Reply;
    },
    async wechatPayCalls(url = s.url) {
      return ((await (await fetch(`${url}/sandbox/wechatpay/calls`)).json()) as { authcodetoopenid: number }).authcodetoopenid;
    },
    close: () => s.close(),
  };
  return f;
}
