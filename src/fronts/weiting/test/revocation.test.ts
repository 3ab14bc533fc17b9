import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../kernel/clock.ts';
import { backendNames, makeBackend, TEST_ADMIN_TOKEN } from '../../../../test/helpers/backends.ts';
import { serveProcess, stopProcess } from '../../../../test/helpers/children.ts';
import { kaifang } from '../../../../test/cli/run.ts';
import { TOKEN_REFUSED, weitingFixture, type Json } from './helpers.ts';

/**
 * Access tokens can be taken back: rotating an app's secret revokes the tokens issued under the old
 * one, disabling an app revokes its tokens (enabling it again does not bring them back), and the
 * operator can revoke them outright (admin API and CLI) — on every process, within the cache
 * bound. Wrong secrets on access/token are slowed per appid and address after a few failures.
 */

const NOON_CST = Date.UTC(2026, 2, 1, 4, 0, 0);
const WRONG = { status: 40001, errMsg: 'appid 或 secret 错误' };
const SLOWED = { status: 40001, errMsg: 'appid 或 secret 错误次数过多，请 1 分钟后再试' };

for (const backend of backendNames()) {
  test(`weiting tokens revoked: explicitly (admin API, CLI), by rotate-secret, by disable; enable brings none back (${backend})`, {
    timeout: 60_000,
  }, async (t) => {
    const f = await weitingFixture(backend);
    t.after(() => f.close());
    const info = async (token: string) => (await f.get('/service/1.0/user/info', { access_token: token, openid: 'oNobody000000' })).body;
    const works = { result: null, flag: 1 };

    const [a, b] = [await f.token(), await f.token()];
    const revoked = await f.s.admin(`/weiting/apps/${f.appid}/revoke-tokens`, { method: 'POST' });
    assert.deepEqual(revoked.body, { appid: f.appid, revoked: 2 });
    assert.deepEqual(await info(a), TOKEN_REFUSED);
    assert.deepEqual(await info(b), TOKEN_REFUSED);
    assert.equal((await f.s.admin('/weiting/apps/wtnosuchapp0000/revoke-tokens', { method: 'POST' })).status, 404);

    // The CLI, on the store the server uses: the server stops taking the token within its cache bound.
    const c = await f.token();
    assert.deepEqual(await info(c), works);
    const cli = await kaifang(f.s.backend.env, ['weiting', 'apps', 'revoke-tokens', f.appid, '--json']);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(cli.json(), { appid: f.appid, revoked: 1 });
    const deadline = Date.now() + 10_000;
    while ((await info(c)).status !== 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(await info(c), TOKEN_REFUSED, 'revoked by the CLI, seen by the server within KAIFANG_CACHE_TTL_MS');

    // Rotating the secret ends the tokens issued under the old one.
    const d = await f.token();
    const rotated = await f.s.admin(`/weiting/apps/${f.appid}/rotate-secret`, { body: {} });
    assert.equal(rotated.status, 200);
    assert.deepEqual(await info(d), TOKEN_REFUSED);
    const e = await f.token(f.appid, rotated.body.secret);
    assert.deepEqual(await info(e), works);

    // Disabled, then enabled: the old token stays revoked, a new one works.
    assert.equal((await f.s.admin(`/weiting/apps/${f.appid}/disable`, { method: 'POST' })).status, 200);
    assert.deepEqual(await info(e), TOKEN_REFUSED);
    assert.equal((await f.s.admin(`/weiting/apps/${f.appid}/enable`, { method: 'POST' })).status, 200);
    assert.deepEqual(await info(e), TOKEN_REFUSED);
    assert.deepEqual(await info(await f.token(f.appid, rotated.body.secret)), works);
  });

  test(`weiting access/token: wrong secrets are slowed per appid and address after 5 failures (${backend})`, {
    timeout: 30_000,
  }, async (t) => {
    const clock = new ManualClock(NOON_CST);
    const f = await weitingFixture(backend, { clock });
    t.after(() => f.close());
    const other = (await f.s.admin('/weiting/apps', { body: { name: 'other' } })).body as { appid: string; secret: string };
    const ask = async (appid: string, secret: string) => (await f.get('/service/1.0/access/token', { appid, secret })).body;

    for (let i = 0; i < 5; i++) assert.deepEqual(await ask(f.appid, `guess-${i}`), WRONG);
    // Slowed: even the right secret waits; nothing is issued, nothing counted against the day.
    assert.deepEqual(await ask(f.appid, f.secret), SLOWED);
    assert.deepEqual(await ask(f.appid, 'guess-5'), SLOWED);
    // Another app from the same address is not slowed.
    assert.equal((await ask(other.appid, other.secret)).status, 200);
    // A minute later: one try. A wrong one, then slowed again for the minute.
    clock.advance(60_000);
    assert.deepEqual(await ask(f.appid, 'guess-6'), WRONG);
    assert.deepEqual(await ask(f.appid, f.secret), SLOWED);
    clock.advance(60_000);
    // The right secret in its minute's try: a token, and the count starts again.
    assert.equal((await ask(f.appid, f.secret)).status, 200);
    for (let i = 0; i < 4; i++) assert.deepEqual(await ask(f.appid, `again-${i}`), WRONG);
    assert.equal((await ask(f.appid, f.secret)).status, 200, '4 failures after a success do not slow');
    // Unknown appids are counted too (per appid): guessing appids is slowed the same way.
    for (let i = 0; i < 5; i++) assert.deepEqual(await ask('wtunknown000001', 'x'), WRONG);
    assert.deepEqual(await ask('wtunknown000001', 'x'), SLOWED);

    // Per address: another address for the same appid is not slowed (the domain, as the route calls it).
    const tokens = f.s.k.fronts.weiting.accessTokens;
    for (let i = 0; i < 5; i++) await assert.rejects(tokens.issue(other.appid, 'bad', '192.0.2.1'));
    await assert.rejects(tokens.issue(other.appid, other.secret, '192.0.2.1'), /错误次数过多/);
    assert.ok((await tokens.issue(other.appid, other.secret, '192.0.2.2')).token);
    // The window: after 15 minutes without failing, the count is gone.
    clock.advance(15 * 60_000);
    assert.ok((await tokens.issue(other.appid, other.secret, '192.0.2.1')).token);
  });
}

test('weiting tokens revoked across two processes: rotate-secret and revoke-tokens on one, refused on the other', {
  timeout: 90_000,
}, async (t) => {
  const backend = await makeBackend(backendNames().at(-1)!);
  t.after(() => backend.cleanup());
  const env = { ...backend.env, KAIFANG_CACHE_TTL_MS: '200' };
  const started = await Promise.allSettled([serveProcess(env), serveProcess(env)]);
  for (const s of started) if (s.status === 'fulfilled') t.after(() => stopProcess(s.value.child));
  for (const s of started) if (s.status === 'rejected') throw s.reason;
  const [a, b] = started.map((s) => (s as PromiseFulfilledResult<{ url: string }>).value);
  const admin = async (url: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}/admin/api${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body ?? {}),
    });
    return (await res.json()) as Json;
  };
  const app = await admin(a!.url, '/weiting/apps', { name: 'partner' });
  const token = async (secret = app.secret as string) =>
    ((await (await fetch(`${a!.url}/service/1.0/access/token?appid=${app.appid}&secret=${secret}`)).json()) as Json).data as string;
  const info = async (url: string, t: string) =>
    (await (await fetch(`${url}/service/1.0/user/info?access_token=${t}&openid=oNobody000000`)).json()) as Json;
  /** Polls B until it refuses the token: a bound (the cache's 200 ms, generously), never a hang. */
  const refusedOnB = async (t: string) => {
    const deadline = Date.now() + 5_000;
    while ((await info(b!.url, t)).status !== 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(await info(b!.url, t), TOKEN_REFUSED);
  };

  const first = await token();
  assert.deepEqual(await info(b!.url, first), { result: null, flag: 1 }, 'B knows the token (and caches it)');
  const rotated = await admin(a!.url, `/weiting/apps/${app.appid}/rotate-secret`);
  await refusedOnB(first);
  const second = await token(rotated.secret as string);
  assert.deepEqual(await info(b!.url, second), { result: null, flag: 1 });
  assert.equal((await admin(a!.url, `/weiting/apps/${app.appid}/revoke-tokens`)).revoked, 1);
  await refusedOnB(second);
});
