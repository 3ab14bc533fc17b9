import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { Metrics } from '../../src/server/metrics.ts';
import { loadConfig } from '../../src/server/config.ts';
import { createUpstreams } from '../../src/upstream/index.ts';
import { WechatLoginAdapter } from '../../src/upstream/wechat.ts';
import { captureServer, closedPort, rejectsWith, startSandbox, UPSTREAM_TIMEOUT_MS } from './helpers.ts';

const SECRET = 'wxsecret-' + randomBytes(8).toString('hex');
const uniq = () => randomBytes(4).toString('hex');

/** The documented sandbox identity, computed here from the README's formula. */
const openidOf = (appid: string, user: string) =>
  'o' + createHmac('sha256', 'kaifang-sandbox').update(`${appid}|${user}`).digest('base64url').slice(0, 27);
const unionidOf = (user: string) =>
  'o' + createHmac('sha256', 'kaifang-sandbox').update(`unionid|${user}`).digest('base64url').slice(0, 27);

test('jscode2session through the sandbox: stable openid per (appid, user), fresh session_key, unionid for u-users', async (t) => {
  const s = await startSandbox();
  t.after(() => s.close());
  const w = s.k.core.upstreams.wechatLogin;

  const a1 = await w.code2Session('wxAAA', SECRET, `sandbox-alice-${uniq()}`);
  const a2 = await w.code2Session('wxAAA', SECRET, `sandbox-alice-${uniq()}`);
  const b1 = await w.code2Session('wxBBB', SECRET, `sandbox-alice-${uniq()}`);
  assert.equal(a1.openid, openidOf('wxAAA', 'alice'));
  assert.equal(a1.openid.length, 28);
  assert.equal(a2.openid, a1.openid);
  assert.equal(b1.openid, openidOf('wxBBB', 'alice'));
  assert.notEqual(b1.openid, a1.openid);
  assert.match(a1.session_key, /^[A-Za-z0-9+/]{22}==$/);
  assert.notEqual(a2.session_key, a1.session_key);
  assert.equal(a1.unionid, undefined);
  assert.deepEqual(Object.keys(a1).sort(), ['openid', 'session_key']);

  const u1 = await w.code2Session('wxAAA', SECRET, `sandbox-uma-${uniq()}`);
  const u2 = await w.code2Session('wxBBB', SECRET, 'sandbox-uma');
  assert.equal(u1.unionid, unionidOf('uma'));
  assert.equal(u2.unionid, u1.unionid);
  assert.notEqual(u2.openid, u1.openid);
});

test('every WeChat error of upstreams.md is reached and mapped to UpstreamRejected(wechat, errcode, errmsg)', async (t) => {
  const s = await startSandbox();
  t.after(() => s.close());
  const w = s.k.core.upstreams.wechatLogin;
  const code = `sandbox-bob-${uniq()}`;
  await w.code2Session('wxAAA', SECRET, code);
  const cases: [string, string, string, RegExp][] = [
    ['used', SECRET, code, /^code been used, rid: /],
    ['invalid', SECRET, 'invalid', /^invalid code, rid: /],
    ['not sandbox form', SECRET, 'sandbox-', /^invalid code/],
    ['frequency', SECRET, 'sandbox-freq', /minute-quota/],
    ['risky', SECRET, `sandbox-risky-${uniq()}`, /^code blocked/],
    ['busy', SECRET, 'sandbox-busy-1', /^system error/],
    ['empty secret', '', `sandbox-carol-${uniq()}`, /^invalid appsecret/],
  ];
  const expected = ['40163', '40029', '40029', '45011', '40226', '-1', '40125'];
  for (const [i, [name, secret, jsCode, msg]] of cases.entries()) {
    const err = await rejectsWith(() => w.code2Session('wxAAA', secret, jsCode), 'UpstreamRejected');
    assert.equal(err.upstream, 'wechat', name);
    assert.equal(err.code, expected[i], name);
    assert.match(err.upstreamMessage, msg, name);
  }
  // Error codes do not consume: the same frequency-limited code answers the same again.
  const again = await rejectsWith(() => w.code2Session('wxAAA', SECRET, 'sandbox-freq'), 'UpstreamRejected');
  assert.equal(again.code, '45011');
});

test('timeouts, 5xx, garbage bodies and refused connections are UpstreamUnavailable without the secret', async (t) => {
  const s = await startSandbox({ config: { upstreamTimeoutMs: UPSTREAM_TIMEOUT_MS } });
  t.after(() => s.close());
  const w = s.k.core.upstreams.wechatLogin;

  const timeout = await rejectsWith(() => w.code2Session('wxAAA', SECRET, 'sandbox-timeout-1'), 'UpstreamUnavailable');
  assert.match(timeout.message, new RegExp(`no answer within ${UPSTREAM_TIMEOUT_MS} ms`));
  const down = await rejectsWith(() => w.code2Session('wxAAA', SECRET, 'sandbox-unavailable'), 'UpstreamUnavailable');
  assert.equal(down.status, 503);
  const garbage = await rejectsWith(() => w.code2Session('wxAAA', SECRET, 'sandbox-garbage'), 'UpstreamUnavailable');
  assert.match(garbage.message, /not JSON/);

  const port = await closedPort();
  const refused = new WechatLoginAdapter(() => `http://127.0.0.1:${port}`, { timeoutMs: 300 });
  const conn = await rejectsWith(() => refused.code2Session('wxAAA', SECRET, 'sandbox-x'), 'UpstreamUnavailable');
  assert.match(conn.message, /ECONNREFUSED/);

  for (const err of [timeout, down, garbage, conn]) {
    assert.equal(err.upstream, 'wechat');
    assert.ok(!err.message.includes(SECRET), err.message);
    assert.ok(!err.message.includes('secret='), err.message);
  }
  // The server is still healthy after the hung request.
  assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
});

test('session_key, secret and js_code never reach the logs; metrics count each outcome', async (t) => {
  const s = await startSandbox();
  t.after(() => s.close());
  const w = s.k.core.upstreams.wechatLogin;
  const jsCode = `sandbox-dave-${uniq()}`;
  const ok = await w.code2Session('wxAAA', SECRET, jsCode);
  await rejectsWith(() => w.code2Session('wxAAA', SECRET, jsCode), 'UpstreamRejected');
  await rejectsWith(() => w.code2Session('wxAAA', SECRET, 'sandbox-garbage'), 'UpstreamUnavailable');
  const logs = s.logs();
  assert.match(logs, /jscode2session/, 'the request lines are logged (level trace)');
  assert.ok(!logs.includes(ok.session_key), 'session_key logged');
  assert.ok(!logs.includes(SECRET), 'secret logged');
  assert.ok(!logs.includes(jsCode), 'js_code logged');
  const metrics = await s.k.metrics.registry.getMetricsAsJSON();
  const calls = metrics.find((m) => m.name === 'kaifang_upstream_calls_total')!;
  const count = (outcome: string) => calls.values.find((v) => v.labels.upstream === 'wechat' && v.labels.outcome === outcome)?.value;
  assert.deepEqual([count('ok'), count('rejected'), count('unavailable')], [1, 1, 1]);
});

test('live mode sends the documented request to KAIFANG_WECHAT_API_URL and accepts errcode 0 on success', async (t) => {
  const upstream = await captureServer((_req, _body, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(JSON.stringify({ openid: 'oLIVE', session_key: 'c2Vzc2lvbg==', unionid: 'oUNION', errcode: 0, errmsg: 'ok' }));
  });
  t.after(() => upstream.close());
  const config = loadConfig({ KAIFANG_UPSTREAM: 'live', KAIFANG_SMS_PROVIDER: 'none', KAIFANG_WECHAT_API_URL: `${upstream.url}/` });
  const { wechatLogin } = createUpstreams(config, new Metrics(false), () => 'http://unused');
  const session = await wechatLogin.code2Session('wx 1&2', 'se=cret', 'code+/ä');
  assert.deepEqual(session, { openid: 'oLIVE', session_key: 'c2Vzc2lvbg==', unionid: 'oUNION' });
  assert.equal(upstream.requests.length, 1);
  const req = upstream.requests[0]!;
  assert.equal(req.method, 'GET');
  const url = new URL(req.url, 'http://x');
  assert.equal(url.pathname, '/sns/jscode2session');
  assert.deepEqual(Object.fromEntries(url.searchParams), {
    appid: 'wx 1&2',
    secret: 'se=cret',
    js_code: 'code+/ä',
    grant_type: 'authorization_code',
  });
});

test('a connection refused is retried once for jscode2session (nothing was sent), never for other failures', async () => {
  let calls = 0;
  const refusedOnce: typeof fetch = async () => {
    calls++;
    if (calls === 1) throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    return new Response(JSON.stringify({ openid: 'o1', session_key: 'k' }), { status: 200 });
  };
  const w = new WechatLoginAdapter(() => 'http://wechat.invalid', { timeoutMs: 1000, fetch: refusedOnce });
  assert.equal((await w.code2Session('wx', 's', 'c')).openid, 'o1');
  assert.equal(calls, 2);

  calls = 0;
  const reset: typeof fetch = async () => {
    calls++;
    throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });
  };
  const w2 = new WechatLoginAdapter(() => 'http://wechat.invalid', { timeoutMs: 1000, fetch: reset });
  await rejectsWith(() => w2.code2Session('wx', 's', 'c'), 'UpstreamUnavailable');
  assert.equal(calls, 1, 'a reset may have happened after WeChat consumed the code: no retry');
});
