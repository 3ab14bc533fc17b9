import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import type { Backend } from '../../../../test/helpers/backends.ts';
import { startServer, type TestServer } from '../../../../test/helpers/server.ts';
import { captureServer, type CaptureServer } from '../../../../test/upstream/helpers.ts';

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

/** The environment of a server whose channels are fakes of the test's own: live mode, WeChat Pay at `wechatPayUrl`. */
export const liveEnv = (wechatPayUrl: string): Record<string, string> => ({
  KAIFANG_UPSTREAM: 'live',
  KAIFANG_SMS_PROVIDER: 'none',
  KAIFANG_WECHATPAY_API_URL: wechatPayUrl,
});

/** WeChat Pay API v2's signature written out again: sorted non-empty name=value&…&key=KEY, MD5, upper-case hex. */
export function wxSign(fields: Record<string, string>, key: string): string {
  const text = Object.keys(fields)
    .filter((k) => k !== 'sign' && fields[k] !== '')
    .sort()
    .map((k) => `${k}=${fields[k]}`)
    .join('&');
  return createHash('md5').update(`${text}&key=${key}`, 'utf8').digest('hex').toUpperCase();
}

const wxParser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: false });

/** What a fake WeChat Pay answers one query with: fields signed with `key` (null: unsigned), a raw reply, or nothing at all. */
export type WxAnswer = { fields: Record<string, string>; key: string | null } | { status: number; body: string } | 'hang';

export interface FakeUpstream extends CaptureServer {
  /** How many requests it received so far. */
  count(): number;
  /** Resolves once it has received `n` requests (rejects after `withinMs`: nothing waits forever). */
  received(n: number, withinMs?: number): Promise<void>;
}

function fake(server: CaptureServer): FakeUpstream {
  return {
    ...server,
    count: () => server.requests.length,
    async received(n, withinMs = 10_000) {
      const until = Date.now() + withinMs;
      while (server.requests.length < n) {
        if (Date.now() > until)
          throw new Error(`the fake upstream received ${server.requests.length} requests, not ${n}, within ${withinMs} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
}

/**
 * A WeChat Pay `tools/authcodetoopenid` of the test's own: `answer` decides each reply from the
 * request's fields (parsed with a maintained XML parser) and its number (1 for the first).
 */
export async function fakeWechatPay(
  answer: (request: Record<string, string>, n: number) => WxAnswer | Promise<WxAnswer>,
): Promise<FakeUpstream & { fields(i: number): Record<string, string> }> {
  let n = 0;
  const fields = (body: Buffer) => {
    const doc = wxParser.parse(body.toString('utf8')) as { xml?: Record<string, unknown> };
    return Object.fromEntries(Object.entries(doc.xml ?? {}).map(([k, v]) => [k, String(v)]));
  };
  const server = await captureServer((_req, body, res) => {
    void (async () => {
      const a = await answer(fields(body), ++n);
      if (a === 'hang') return; // until the server closes
      if ('status' in a) {
        res.writeHead(a.status, { 'content-type': 'text/plain' }).end(a.body);
        return;
      }
      const out = a.key === null ? a.fields : { ...a.fields, sign: wxSign(a.fields, a.key) };
      const xml = `<xml>${Object.entries(out)
        .map(([k, v]) => `<${k}><![CDATA[${v}]]></${k}>`)
        .join('')}</xml>`;
      res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' }).end(xml);
    })();
  });
  return { ...fake(server), fields: (i) => fields(server.requests[i]!.body) };
}

/** A WeChat Pay success for `request`: its appid and mch_id echoed, `openid` the payer's. */
export const wxFound = (request: Record<string, string>, openid: string, key: string | null = SANDBOX_WECHATPAY_KEY): WxAnswer => ({
  fields: {
    return_code: 'SUCCESS',
    return_msg: 'OK',
    appid: request.appid ?? '',
    mch_id: request.mch_id ?? '',
    nonce_str: randomBytes(8).toString('hex'),
    result_code: 'SUCCESS',
    openid,
  },
  key,
});

/** An acquirer bridge of the test's own: `answer` gives the body and the secret its X-Kaifang-Signature is made with (null: no header). */
export async function fakeBridge(
  answer: (request: Record<string, unknown>, n: number) => { body: Record<string, unknown>; secret: string | null } | 'hang',
): Promise<FakeUpstream & { json(i: number): Record<string, unknown> }> {
  let n = 0;
  const server = await captureServer((_req, body, res) => {
    const a = answer(JSON.parse(body.toString('utf8')) as Record<string, unknown>, ++n);
    if (a === 'hang') return;
    const text = JSON.stringify(a.body);
    res
      .writeHead(200, {
        'content-type': 'application/json',
        ...(a.secret === null
          ? {}
          : { 'x-kaifang-signature': `sha256=${createHmac('sha256', a.secret).update(text, 'utf8').digest('hex')}` }),
      })
      .end(text);
  });
  return { ...fake(server), json: (i) => JSON.parse(server.requests[i]!.body.toString('utf8')) as Record<string, unknown> };
}

/** Resolves with `promise`, or rejects once `ms` passed: a wait on a lock that is never released fails the test instead of hanging it. */
export function within<T>(ms: number, promise: Promise<T>, what = 'the call'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not end within ${ms} ms`)), ms);
    }),
  ]);
}
