import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../kernel/clock.ts';
import { backendNames, makeBackend, TEST_ADMIN_TOKEN } from '../../../../test/helpers/backends.ts';
import { serveProcess, stopProcess } from '../../../../test/helpers/children.ts';
import { notice, OA_APPID, TOKEN_REFUSED, weitingFixture, type Json } from './helpers.ts';

/**
 * One-time things used twice — a login `state` approved twice, WeChat's state and code, the
 * platform code, an app ticket — in one process and across two; the edges of time (a token issued
 * in the last 5 minutes of the previous one, the overlap's exact end, a keyed request arriving
 * while the first is still running); and what getBaseUrl's 40002 tells the operator.
 */

const NOON_CST = Date.UTC(2026, 2, 1, 4, 0, 0);

for (const backend of backendNames()) {
  test(`weiting single use in one process: a state approved twice, a WeChat code twice, a platform code and a ticket twice (${backend})`, {
    timeout: 30_000,
  }, async (t) => {
    const f = await weitingFixture(backend);
    t.after(() => f.close());
    const token = await f.token();
    const partner = `${f.s.url}/sandbox/partner?p=1`;
    const start = new URL(
      (await f.post('/service/wxoauth/2.0/getBaseUrl', { access_token: token }, { form: { state: partner } })).body.redirect,
    );
    start.hash = '';
    // WeChat approves the same authorize URL twice (a double tap): two WeChat codes, one state.
    const approve = async (user: string) => {
      const u = new URL(start);
      u.searchParams.set('sandbox_user', user);
      return (await fetch(u, { redirect: 'manual' })).headers.get('location')!;
    };
    const [first, second] = [await approve('twice_a'), await approve('twice_b')];
    const [r1, r2] = await Promise.all([fetch(first, { redirect: 'manual' }), fetch(second, { redirect: 'manual' })]);
    const statuses = [r1.status, r2.status].sort();
    assert.deepEqual(statuses, [302, 400], 'one login, the other told its link is used');
    const failed = r1.status === 400 ? r1 : r2;
    assert.match(await failed.text(), new RegExp(`href="${partner.replace(/[?.]/g, '\\$&')}&amp;error=login_expired"`));
    const landed = new URL((r1.status === 302 ? r1 : r2).headers.get('location')!);
    const code = landed.searchParams.get('code')!;
    // The same WeChat callback again (the browser's back button): used.
    assert.equal((await fetch(first, { redirect: 'manual' })).status, 400);

    // The platform code, 20 at once: one openid.
    const got = await Promise.all(
      Array.from({ length: 20 }, () => f.post('/service/wxoauth/2.0/getOpenidByCode', { access_token: token }, { form: { code } })),
    );
    assert.equal(got.filter((r) => r.body.status === 200).length, 1);
    assert.equal(got.filter((r) => r.body.status === 40005).length, 19);

    // A ticket, 20 at once: one mobile.
    const ticket = (await f.s.admin('/weiting/tickets', { body: { mobile: '17717463317' } })).body.ticket as string;
    const redeemed = await Promise.all(
      Array.from({ length: 20 }, () => f.get('/service/appOauthen/Ticket', { access_token: token, ticket })),
    );
    assert.equal(redeemed.filter((r) => r.body.errcode === 0).length, 1);
    // (The losers' diagnostic says 已使用 once the winner has marked it; one racing the mark may say 为空.)
    assert.equal(redeemed.filter((r) => r.body.errcode === 1 && r.body.data === '手机号码获取异常').length, 19);
  });

  test(`weiting time edges: a token issued in the previous one's last 5 minutes, the overlap's exact end, a token's exact end (${backend})`, async (t) => {
    const clock = new ManualClock(NOON_CST);
    const f = await weitingFixture(backend, { clock });
    t.after(() => f.close());
    const info = async (token: string) => (await f.get('/service/1.0/user/info', { access_token: token, openid: 'oNobody000000' })).body;
    const works = { result: null, flag: 1 };

    const a = await f.token();
    clock.advance(7200_000 - 120_000); // a has 2 minutes left
    const b = await f.token();
    clock.advance(119_999);
    assert.deepEqual(await info(a), works, 'a keeps its own end');
    clock.advance(1);
    assert.deepEqual(await info(a), TOKEN_REFUSED, 'a ends at its own 7200 s, not 5 minutes after b');
    // The overlap's exact end: the previous token works up to 300 000 ms after the new one, not at it.
    const c = await f.token();
    clock.advance(299_999);
    assert.deepEqual(await info(b), works);
    clock.advance(1);
    assert.deepEqual(await info(b), TOKEN_REFUSED, 'the overlap ends exactly 300 s after the new token');
    assert.deepEqual(await info(c), works);
    clock.advance(7200_000 - 300_000 - 1);
    assert.deepEqual(await info(c), works);
    clock.advance(1);
    assert.deepEqual(await info(c), TOKEN_REFUSED, 'exactly 7200 s');
  });

  test(`weiting Idempotency-Key: a request arriving while the first with the key still runs waits for its outcome; another body is 409 at once (${backend})`, {
    timeout: 20_000,
  }, async (t) => {
    const f = await weitingFixture(backend);
    t.after(() => f.close());
    const token = await f.token();
    const send = (fields: Record<string, string>) =>
      f.post('/service/1.0/sendPrizeNotice', { access_token: token }, { form: fields, headers: { 'Idempotency-Key': 'slow-1' } });
    // timeout_…: the sandbox WeChat answers nothing until the adapter's 800 ms are over.
    const firstCall = send(notice('timeout_slow01'));
    await new Promise((r) => setTimeout(r, 200));
    const [first, second, other] = await Promise.all([firstCall, send(notice('timeout_slow01')), send(notice('oSomeoneElse01'))]);
    assert.deepEqual(first.body, { status: 40005, errMsg: '推送接口异常' });
    assert.deepEqual(second.body, first.body, 'the repeat waited for the first outcome');
    assert.deepEqual(other.body, { status: 409, errMsg: 'Idempotency-Key 已用于另一个不同的请求' });
    const recorded = (await f.s.admin('/weiting/notices')).body.notices as Json[];
    assert.deepEqual(
      recorded.map((n) => [n.openid, n.outcome]),
      [['timeout_slow01', 'unavailable']],
      'tried once',
    );
  });

  test(`weiting getBaseUrl 40002: the wire keeps its words, the log and the call log name the refused host and the allowed hosts (${backend})`, async (t) => {
    const f = await weitingFixture(backend, { captureLogs: true });
    t.after(() => f.close());
    const token = await f.token();
    const r = await f.post(
      '/service/wxoauth/2.0/getBaseUrl',
      { access_token: token },
      { form: { state: 'https://user:hunter2@evil.example.com/path?secret=s3' } },
    );
    assert.deepEqual(r.body, { status: 40002, errMsg: 'state 地址不合法' });
    const refusedHost = await f.post(
      '/service/wxoauth/2.0/getBaseUrl',
      { access_token: token },
      { form: { state: 'https://evil-partner.example.com/path?secret=s3' } },
    );
    assert.deepEqual(refusedHost.body, { status: 40002, errMsg: 'state 地址不合法' });
    const lines = f.s
      .logs()
      .split('\n')
      .filter((l) => l.includes('getBaseUrl refused'))
      .map((l) => JSON.parse(l) as Json);
    assert.equal(lines.length, 2);
    assert.equal(lines[0]!.refused, 'userinfo');
    assert.equal(lines[1]!.refusedHost, 'evil-partner.example.com');
    assert.deepEqual(lines[1]!.allowedHosts, [new URL(f.s.url).host, 'partner.example.com', '*.example.org']);
    assert.ok(!f.s.logs().includes('hunter2') && !f.s.logs().includes('s3'), 'no password, path or query logged');
    const calls = (await f.s.admin('/calls?front=weiting&limit=10')).body.calls as Json[];
    const outcomes = calls.filter((c) => c.endpoint === '/service/wxoauth/2.0/getBaseUrl').map((c) => c.outcome as string);
    assert.ok(
      outcomes.some((o) => o.includes('"evil-partner.example.com"') && o.includes('partner.example.com,*.example.org')),
      JSON.stringify(outcomes),
    );
    assert.ok(outcomes.some((o) => o.includes('user:password')));
  });
}

/** Two `kaifang serve` processes on one backend. */
async function twoProcesses(t: TestContext): Promise<[string, string]> {
  const backend = await makeBackend(backendNames().at(-1)!);
  t.after(() => backend.cleanup());
  const started = await Promise.allSettled([serveProcess(backend.env), serveProcess(backend.env)]);
  for (const s of started) if (s.status === 'fulfilled') t.after(() => stopProcess(s.value.child));
  for (const s of started) if (s.status === 'rejected') throw s.reason;
  return started.map((s) => (s as PromiseFulfilledResult<{ url: string }>).value.url) as [string, string];
}

test('weiting single use across two processes: a state, a platform code and a ticket, each used on both at once, work once', {
  timeout: 90_000,
}, async (t) => {
  const [a, b] = await twoProcesses(t);
  const admin = async (path: string, body: unknown) =>
    (await (
      await fetch(`${a}/admin/api${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    ).json()) as Json;
  await admin('/wechat/official-accounts', { appid: OA_APPID, secret: 'oa-secret-0123456789abcdef012345', name: '上海电信' });
  const app = await admin('/weiting/apps', { name: 'partner', allowedHosts: [new URL(a).host] });
  const token = ((await (await fetch(`${a}/service/1.0/access/token?appid=${app.appid}&secret=${app.secret}`)).json()) as Json)
    .data as string;
  const post = async (url: string, path: string, form: Record<string, string>) =>
    (await (
      await fetch(`${url}${path}?access_token=${token}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
      })
    ).json()) as Json;

  // A state approved twice, its two WeChat callbacks at the two processes at once: one login.
  const start = new URL((await post(a, '/service/wxoauth/2.0/getBaseUrl', { state: `${a}/sandbox/partner` })).redirect as string);
  start.hash = '';
  const approve = async (user: string) => {
    const u = new URL(start);
    u.searchParams.set('sandbox_user', user);
    return new URL((await fetch(u, { redirect: 'manual' })).headers.get('location')!);
  };
  const [cbA, cbB] = [await approve('cross_a'), await approve('cross_b')];
  const onB = new URL(`${b}${cbB.pathname}${cbB.search}`);
  const [ra, rb] = await Promise.all([fetch(cbA, { redirect: 'manual' }), fetch(onB, { redirect: 'manual' })]);
  assert.deepEqual([ra.status, rb.status].sort(), [302, 400]);
  const code = new URL((ra.status === 302 ? ra : rb).headers.get('location')!).searchParams.get('code')!;

  // The platform code at both at once: one openid.
  const got = await Promise.all(
    Array.from({ length: 10 }, (_, i) => post(i % 2 ? a : b, '/service/wxoauth/2.0/getOpenidByCode', { code })),
  );
  assert.equal(got.filter((r) => r.status === 200).length, 1, JSON.stringify(got));

  // A ticket at both at once: one mobile.
  const ticket = (await admin('/weiting/tickets', { mobile: '17717463317' })).ticket as string;
  const redeemed = await Promise.all(
    Array.from(
      { length: 10 },
      async (_, i) =>
        (await (await fetch(`${i % 2 ? a : b}/service/appOauthen/Ticket?access_token=${token}&ticket=${ticket}`)).json()) as Json,
    ),
  );
  assert.equal(redeemed.filter((r) => r.errcode === 0).length, 1, JSON.stringify(redeemed));
});
