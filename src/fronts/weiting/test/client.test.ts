import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../kernel/clock.ts';
import { WeitingClient, WeitingError } from '../client.ts';
import { notice, weitingFixture } from './helpers.ts';

/** The typed WeitingClient against a real server: every call, its token kept, renewed before expiry and once on refusal. */

test('WeitingClient: every endpoint, one token for many calls, renewed before it expires and once when refused', async (t) => {
  const serverClock = new ManualClock(Date.UTC(2026, 2, 1, 4, 0, 0));
  const f = await weitingFixture('sqlite', { clock: serverClock });
  t.after(() => f.close());
  const paths: string[] = [];
  const counting: typeof fetch = (input, init) => {
    paths.push(new URL(String(input)).pathname);
    return fetch(input, init);
  };
  let clientNow = Date.now();
  const client = new WeitingClient({ baseUrl: `${f.s.url}/`, appid: f.appid, secret: f.secret, fetch: counting, now: () => clientNow });
  const tokenFetches = () => paths.filter((p) => p === '/service/1.0/access/token').length;

  // Many calls at once share one token fetch.
  const openid = 'oClient00000001';
  await Promise.all([
    client.userInfo(openid),
    client.userInfo(openid),
    client.reportLogin({ openid, deviceno: '17717463317', channel: 'sdk', from: 'test' }),
  ]);
  assert.equal(tokenFetches(), 1);
  const user = await client.userInfo(openid);
  assert.deepEqual(
    user!.accounts.map((a) => a.deviceno),
    ['17717463317'],
  );
  assert.equal(await client.userInfo('oNobody0000001'), null);
  assert.equal(tokenFetches(), 1);

  const orderNo = await client.reportOrder(
    { openid, deviceno: '17717463317', traffic_package_name: '1GB', channel: 'sdk', from: 'test' },
    { idempotencyKey: 'k1' },
  );
  assert.match(orderNo, /^\d{23}$/);
  assert.equal(
    await client.reportOrder(
      { openid, deviceno: '17717463317', traffic_package_name: '1GB', channel: 'sdk', from: 'test' },
      { idempotencyKey: 'k1' },
    ),
    orderNo,
  );
  assert.equal(await client.sendPrizeNotice(notice(await f.openidOf('alice'))), 'sent');
  assert.equal(await client.sendPrizeNotice(notice('unsubscribed_x1')), 'failed');

  const redirect = await client.loginUrl(`${f.s.url}/sandbox/partner`);
  const authorize = new URL(redirect);
  authorize.hash = '';
  authorize.searchParams.set('sandbox_user', 'dave');
  const wxcode = await fetch(authorize, { redirect: 'manual' });
  const landing = await fetch(wxcode.headers.get('location')!, { redirect: 'manual' });
  const code = new URL(landing.headers.get('location')!).searchParams.get('code')!;
  assert.equal(await client.openidByCode(code), await f.openidOf('dave'));
  const ticket = (await f.s.admin('/weiting/tickets', { body: { mobile: '17717463317' } })).body.ticket as string;
  assert.equal(await client.ticketMobile(ticket), '17717463317');
  assert.equal(tokenFetches(), 1);

  // Refusals come back as WeitingError carrying the server's own answer.
  await assert.rejects(
    client.openidByCode(code),
    (err: WeitingError) => err instanceof WeitingError && err.reply.status === 40005 && /code 已过期/.test(err.message),
  );
  await assert.rejects(
    client.ticketMobile(ticket),
    (err: WeitingError) => err instanceof WeitingError && /ticket已使用/.test(err.message) && err.reply.errcode === 1,
  );
  await assert.rejects(
    client.loginUrl('https://evil.example.com/'),
    (err: WeitingError) => err.reply.status === 40002 && /state 地址不合法/.test(err.message),
  );
  await assert.rejects(client.reportLogin({ openid, deviceno: '12', channel: 'sdk', from: 'test' }), (err: WeitingError) =>
    /deviceno must be 7–20 digits/.test(err.message),
  );
  await assert.rejects(client.sendPrizeNotice({ ...notice(openid), url: 'ftp://x' }), (err: WeitingError) =>
    /url must be an http\(s\) URL/.test(err.message),
  );

  // Close to expiry by the client's own clock: renewed before use.
  clientNow += 7200_000 - 200_000;
  serverClock.advance(7200_000 - 200_000);
  await client.userInfo(openid);
  assert.equal(tokenFetches(), 2, 'renewed 5 minutes before expiry');

  // The server no longer takes the token though the client thinks it good: renewed once, the call retried.
  serverClock.advance(7200_000 + 1000);
  const before = paths.length;
  assert.deepEqual((await client.userInfo(openid))!.openid, openid);
  assert.equal(tokenFetches(), 3);
  assert.deepEqual(paths.slice(before), ['/service/1.0/user/info', '/service/1.0/access/token', '/service/1.0/user/info']);

  // Wrong credentials: the token endpoint's answer, as an error, not retried forever.
  const wrong = new WeitingClient({ baseUrl: f.s.url, appid: f.appid, secret: 'wrong' });
  await assert.rejects(
    wrong.userInfo(openid),
    (err: WeitingError) => err.reply.status === 40001 && /appid 或 secret 错误/.test(err.message),
  );
});
