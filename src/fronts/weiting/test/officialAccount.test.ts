import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../kernel/clock.ts';
import { backendNames } from '../../../../test/helpers/backends.ts';
import { WechatOfficialAccountAdapter } from '../../../upstream/wechat.ts';
import { notice, OA_APPID, weitingFixture, type Json, type WeitingFixture } from './helpers.ts';

/**
 * The official account's own side of prize notices: when its credentials, IP whitelist or
 * permissions fail (cgi-bin/token 40164, a 40001 that outlives the refresh, 48001), the partner is
 * told 推送接口异常 — not 发送失败, which stays the user's side (unsubscribed, a bad openid) — and
 * the operator sees WeChat's errcode and errmsg in an error log line and on /metrics. Where the token
 * comes from: WeChat's stable_token by default (KAIFANG_WEITING_WECHAT_TOKEN_SOURCE), which another
 * backend of the same account fetching cgi-bin/token cannot end, and the sandbox simulating both.
 *
 * Every test here waits on the shared token's lock or a refresh: each is bounded (a lock never
 * released costs its 15 s lease and fails the test instead of only slowing it).
 */

const NOON_CST = Date.UTC(2026, 2, 1, 4, 0, 0);
const DOWN = { status: 40005, errMsg: '推送接口异常' };
const FAILED = { status: 0, result: '发送失败' };
/** A test waiting on a lock or a refresh: under a second when it works, so 10 s only says "does not hang". */
const BOUNDED = { timeout: 10_000 };

type LogLine = { level: number; msg: string; wechat?: { errcode: string; errmsg: string } };
const logLines = (f: WeitingFixture): LogLine[] =>
  f.s
    .logs()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);
const warnOrWorse = (f: WeitingFixture) => logLines(f).filter((l) => l.level >= 40);

async function setOaSecret(f: WeitingFixture, secret: string): Promise<void> {
  const r = await f.s.admin(`/wechat/official-accounts/${OA_APPID}/secret`, { method: 'PUT', body: { secret } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
}

async function metric(f: WeitingFixture, api: string, errcode: string): Promise<number> {
  const text = await (await fetch(`${f.s.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`kaifang_wechat_errors_total{api="${api}",errcode="${errcode}"}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

for (const backend of backendNames()) {
  test(`weiting sendPrizeNotice: the official account's own failures are 推送接口异常, logged at error with WeChat's errcode, counted by errcode (${backend})`, {
    // About 20 calls and three refreshes: 30 s is generous on a loaded machine; a never-released lock costs 15 s a refresh.
    timeout: 30_000,
  }, async (t) => {
    const f = await weitingFixture(backend, { captureLogs: true });
    t.after(() => f.close());
    const token = await f.token();
    const alice = await f.openidOf('alice');
    const send = (openid: string, key?: string) =>
      f.post(
        '/service/1.0/sendPrizeNotice',
        { access_token: token },
        { form: notice(openid), headers: key ? { 'Idempotency-Key': key } : {} },
      );

    // The user's side: 发送失败, and nothing at warn or error (it is not the operator's to fix).
    assert.deepEqual((await send('unsubscribed_u1')).body, FAILED);
    assert.deepEqual((await send('invalid_u00001')).body, FAILED);
    assert.deepEqual(warnOrWorse(f), []);

    const cases: [secret: string, api: string, errcode: string][] = [
      ['ipblocked-0123456789abcdef01234', 'cgi-bin/stable_token', '40164'],
      ['stale-0123456789abcdef0123456789', 'cgi-bin/message/template/send', '40001'],
      ['unauthorized-0123456789abcdef012', 'cgi-bin/message/template/send', '48001'],
    ];
    for (const [i, [secret, api, errcode]] of cases.entries()) {
      await setOaSecret(f, secret);
      const before = await metric(f, api, errcode);
      const linesBefore = logLines(f).length;
      assert.deepEqual((await send(alice, `platform-${i}`)).body, DOWN, `${secret}: 推送接口异常, not 发送失败`);
      const errors = logLines(f)
        .slice(linesBefore)
        .filter((l) => l.level >= 50);
      assert.equal(errors.length, 1, `${secret}: one error line: ${JSON.stringify(errors)}`);
      assert.equal(errors[0]!.wechat?.errcode, errcode);
      assert.ok(errors[0]!.wechat!.errmsg.length > 0, 'with WeChat errmsg');
      assert.ok(!f.s.logs().includes(secret), 'the secret is not logged');
      assert.equal(await metric(f, api, errcode), before + (errcode === '40001' ? 2 : 1), `${api} ${errcode} counted`);
      const last = (await f.s.admin('/weiting/notices?limit=1')).body.notices[0] as Json;
      assert.equal(last.outcome, 'unavailable');
      assert.match(last.reason, new RegExp(`^WeChat ${errcode} `));
    }
    assert.equal((await f.inbox(alice)).length, 0, 'nothing reached alice');

    // Once the operator fixes it, the partner's retry with the same key sends (the failure was not kept),
    // and the failed tries did not spend alice's notices for the day (10).
    await setOaSecret(f, 'oa-secret-0123456789abcdef012345');
    assert.deepEqual((await send(alice, 'platform-0')).body, { status: 200, result: '发送成功' });
    for (let i = 0; i < 9; i++) assert.equal((await send(alice)).body.status, 200, `notice ${i + 2} of 10`);
    assert.deepEqual((await send(alice)).body, FAILED, 'the 11th is over the limit');
  });

  test(
    `weiting official-account token from stable_token (the default): another backend's cgi-bin/token cannot end it (${backend})`,
    BOUNDED,
    async (t) => {
      const clock = new ManualClock(NOON_CST);
      const f = await weitingFixture(backend, { clock });
      t.after(() => f.close());
      const token = await f.token();
      const send = async () =>
        (await f.post('/service/1.0/sendPrizeNotice', { access_token: token }, { form: notice('oStableUser0001') })).body;
      assert.deepEqual(await send(), { status: 200, result: '发送成功' });
      assert.equal(await f.tokenFetches(), 1);
      // Another backend of the same account fetches cgi-bin/token, twice, 5 minutes apart.
      const other = async () =>
        (await (
          await fetch(`${f.s.url}/sandbox/wechat/cgi-bin/token?grant_type=client_credential&appid=${OA_APPID}&secret=theirs0123456789`)
        ).json()) as Json;
      assert.equal(typeof (await other()).access_token, 'string');
      clock.advance(301_000);
      await other();
      assert.deepEqual(await send(), { status: 200, result: '发送成功' });
      assert.equal(await f.tokenFetches(), 3, 'their two fetches; kaifang fetched nothing more');
    },
  );

  test(
    `weiting official-account token from cgi-bin/token (KAIFANG_WEITING_WECHAT_TOKEN_SOURCE=token): another backend's fetch ends it, one refresh and retry (${backend})`,
    BOUNDED,
    async (t) => {
      const clock = new ManualClock(NOON_CST);
      const f = await weitingFixture(backend, { clock, env: { KAIFANG_WEITING_WECHAT_TOKEN_SOURCE: 'token' } });
      t.after(() => f.close());
      const token = await f.token();
      const send = async () =>
        (await f.post('/service/1.0/sendPrizeNotice', { access_token: token }, { form: notice('oClassicUser001') })).body;
      assert.deepEqual(await send(), { status: 200, result: '发送成功' });
      await fetch(`${f.s.url}/sandbox/wechat/cgi-bin/token?grant_type=client_credential&appid=${OA_APPID}&secret=theirs0123456789`);
      clock.advance(299_000);
      assert.deepEqual(await send(), { status: 200, result: '发送成功' }, 'within the 5 minutes both work');
      assert.equal(await f.tokenFetches(), 2);
      clock.advance(2_000);
      // kaifang's token is ended (40001): refreshed once, the send retried once.
      assert.deepEqual(await send(), { status: 200, result: '发送成功' });
      assert.equal(await f.tokenFetches(), 3);
      assert.equal((await f.inbox('oClassicUser001')).length, 3);
    },
  );

  test(
    `weiting sandbox WeChat: stable_token's normal mode, renewal in the last 5 minutes, force_refresh, and cgi-bin/token's overlap (${backend})`,
    BOUNDED,
    async (t) => {
      const clock = new ManualClock(NOON_CST);
      const f = await weitingFixture(backend, { clock });
      t.after(() => f.close());
      const stable = async (body: Json) =>
        (await (
          await fetch(`${f.s.url}/sandbox/wechat/cgi-bin/stable_token`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ grant_type: 'client_credential', appid: OA_APPID, secret: 's0123456789abcdef', ...body }),
          })
        ).json()) as Json;
      const classic = async () =>
        (
          (await (
            await fetch(`${f.s.url}/sandbox/wechat/cgi-bin/token?grant_type=client_credential&appid=${OA_APPID}&secret=s0123456789abcdef`)
          ).json()) as Json
        ).access_token as string;
      const sendWith = async (accessToken: string) =>
        (
          (await (
            await fetch(`${f.s.url}/sandbox/wechat/cgi-bin/message/template/send?access_token=${accessToken}`, {
              method: 'POST',
              body: JSON.stringify({ touser: 'oSandboxUser001', template_id: 'tpl', data: {} }),
            })
          ).json()) as Json
        ).errcode as number;

      const a = await stable({ force_refresh: false });
      assert.equal(a.expires_in, 7200);
      clock.advance(3600_000);
      const same = await stable({});
      assert.equal(same.access_token, a.access_token, 'normal mode: the same token');
      assert.equal(same.expires_in, 3600);
      clock.advance(3600_000 - 300_000);
      const renewed = await stable({});
      assert.notEqual(renewed.access_token, a.access_token, 'in its last 5 minutes: a new one');
      assert.equal(await sendWith(a.access_token), 0, 'the old one works to its end');
      const forced = await stable({ force_refresh: true });
      assert.notEqual(forced.access_token, renewed.access_token);
      assert.equal(await sendWith(renewed.access_token), 42001, 'force_refresh ends the previous at once');
      assert.equal(await sendWith(forced.access_token), 0);
      // cgi-bin/token's are apart: a classic fetch ends neither, and ends the previous classic token 5 minutes later.
      const c1 = await classic();
      const c2 = await classic();
      assert.equal(await sendWith(c1), 0);
      clock.advance(300_001);
      assert.equal(await sendWith(c1), 42001);
      assert.equal(await sendWith(c2), 0);
      assert.equal(await sendWith(forced.access_token), 0);
      // WeChat's refusals on the stable endpoint.
      assert.equal((await stable({ secret: 'wrong-secret' })).errcode, 40125);
      assert.equal((await stable({ secret: 'ipblocked-x' })).errcode, 40164);
      assert.equal((await stable({ grant_type: 'x' })).errcode, 40002);
    },
  );
}

test('the WeChat adapter asks stable_token by POST with JSON and force_refresh false, never the secret in the URL', async () => {
  const seen: { url: string; method: string; body: string }[] = [];
  const fake: typeof fetch = async (input, init) => {
    seen.push({ url: String(input), method: init?.method ?? 'GET', body: String(init?.body ?? '') });
    return new Response(JSON.stringify({ access_token: 'tok', expires_in: 7000 }), { status: 200 });
  };
  const adapter = new WechatOfficialAccountAdapter(() => 'https://api.weixin.qq.com', { timeoutMs: 1000, fetch: fake });
  assert.deepEqual(await adapter.fetchStableToken('wx1b0d10b65d395395', 'the-secret'), { token: 'tok', expiresInS: 7000 });
  assert.equal(seen[0]!.url, 'https://api.weixin.qq.com/cgi-bin/stable_token');
  assert.equal(seen[0]!.method, 'POST');
  assert.deepEqual(JSON.parse(seen[0]!.body), {
    grant_type: 'client_credential',
    appid: 'wx1b0d10b65d395395',
    secret: 'the-secret',
    force_refresh: false,
  });
});
