import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../kernel/clock.ts';
import { backendNames } from '../../../../test/helpers/backends.ts';
import { notice, TOKEN_REFUSED, weitingFixture, type Json, type WeitingFixture } from './helpers.ts';

/**
 * What belongs to one partner app stays that app's, with two apps side by side: Idempotency-Key
 * records (and their conflicts), the notices' per-openid day limit, access tokens (their overlap,
 * their daily limit, their revocation), platform codes. And an Idempotency-Key reused with another
 * request is refused (409 in the endpoint's shape) with nothing sent or recorded.
 */

const NOON_CST = Date.UTC(2026, 2, 1, 4, 0, 0);
const KEY_REUSED = 'Idempotency-Key 已用于另一个不同的请求';

async function secondApp(f: WeitingFixture): Promise<{ appid: string; secret: string }> {
  const r = await f.s.admin('/weiting/apps', { body: { name: 'second partner', allowedHosts: ['partner.example.com'] } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body as { appid: string; secret: string };
}

const order = (over: Record<string, string> = {}) => ({
  openid: 'oScopeOrder00001',
  deviceno: '17717463317',
  traffic_package_name: '1GB 日包',
  channel: '1',
  from: 'love flow',
  ...over,
});

for (const backend of backendNames()) {
  test(`weiting Idempotency-Key reused with another request: 409 in the endpoint's shape, nothing sent or recorded (${backend})`, {
    timeout: 30_000,
  }, async (t) => {
    const f = await weitingFixture(backend);
    t.after(() => f.close());
    const token = await f.token();
    const alice = await f.openidOf('alice');
    const bob = await f.openidOf('bob');
    const send = (fields: Record<string, string>, key: string) =>
      f.post('/service/1.0/sendPrizeNotice', { access_token: token }, { form: fields, headers: { 'Idempotency-Key': key } });

    assert.deepEqual((await send(notice(alice), 'prize-1')).body, { status: 200, result: '发送成功' });
    // The same notice, as JSON this time: the same request, the first answer.
    const again = await f.post(
      '/service/1.0/sendPrizeNotice',
      { access_token: token },
      { json: notice(alice), headers: { 'Idempotency-Key': 'prize-1' } },
    );
    assert.deepEqual(again.body, { status: 200, result: '发送成功' });
    // Another openid, or other words, under the same key: refused, nothing sent, nothing recorded.
    const conflict = { status: 409, errMsg: KEY_REUSED };
    assert.deepEqual((await send(notice(bob), 'prize-1')).body, conflict);
    assert.deepEqual((await send(notice(alice, { prize: '2GB 流量' }), 'prize-1')).body, conflict);
    assert.deepEqual((await send(notice(alice, { url: 'https://partner.example.com/x' }), 'prize-1')).body, conflict);
    assert.equal((await f.inbox(bob)).length, 0);
    assert.equal((await f.inbox(alice)).length, 1);
    assert.equal(((await f.s.admin('/weiting/notices')).body.notices as Json[]).length, 1);

    const report = (fields: Record<string, string>, key: string) =>
      f.post('/service/flowOrders/create', { access_token: token }, { json: fields, headers: { 'Idempotency-Key': key } });
    const first = await report(order(), 'order-1');
    assert.equal(first.body.status, 200);
    assert.deepEqual((await report(order(), 'order-1')).body, first.body);
    const reused = { data: KEY_REUSED, status: 409, info: 0 };
    assert.deepEqual((await report(order({ traffic_package_name: '10GB 月包' }), 'order-1')).body, reused);
    assert.deepEqual((await report(order({ openid: 'oScopeOrder00002' }), 'order-1')).body, reused);
    assert.deepEqual((await report(order({ transaction_date: '2026-03-01' }), 'order-1')).body, reused);
    const orders = (await f.s.admin('/weiting/orders')).body.orders as Json[];
    assert.deepEqual(
      orders.map((o) => o.orderNo),
      [first.body.data],
      'one order recorded',
    );
    // Through the typed client: a WeitingError carrying the 409.
    const { WeitingClient, WeitingError } = await import('../client.ts');
    const client = new WeitingClient({ baseUrl: f.s.url, appid: f.appid, secret: f.secret });
    await assert.rejects(
      client.reportOrder(order({ traffic_package_name: '3GB' }), { idempotencyKey: 'order-1' }),
      (err: InstanceType<typeof WeitingError>) => err instanceof WeitingError && err.reply.status === 409,
    );
  });

  test(`weiting scoping: two apps' Idempotency-Keys, notice limits, tokens and codes stay apart (${backend})`, {
    timeout: 30_000,
  }, async (t) => {
    const clock = new ManualClock(NOON_CST);
    const f = await weitingFixture(backend, { clock, env: { KAIFANG_WEITING_NOTICES_PER_OPENID_PER_DAY: '2' } });
    t.after(() => f.close());
    const b = await secondApp(f);
    const tokenA = await f.token();
    const tokenB = await f.token(b.appid, b.secret);
    assert.notEqual(tokenA, tokenB);

    // One key, two apps: two orders, and another body under B's key is no conflict with A's.
    const report = (token: string, fields: Record<string, string>, key: string) =>
      f.post('/service/flowOrders/create', { access_token: token }, { json: fields, headers: { 'Idempotency-Key': key } });
    const a1 = await report(tokenA, order(), 'shared-key');
    const b1 = await report(tokenB, order({ traffic_package_name: '5GB' }), 'shared-key');
    assert.equal(a1.body.status, 200);
    assert.equal(b1.body.status, 200, JSON.stringify(b1.body));
    assert.notEqual(a1.body.data, b1.body.data);
    assert.equal((await report(tokenA, order(), 'shared-key')).body.data, a1.body.data);
    assert.equal((await report(tokenB, order({ traffic_package_name: '5GB' }), 'shared-key')).body.data, b1.body.data);
    const byApp = Object.fromEntries(((await f.s.admin('/weiting/orders')).body.orders as Json[]).map((o) => [o.orderNo, o.appid]));
    assert.deepEqual(byApp, { [a1.body.data]: f.appid, [b1.body.data]: b.appid });

    // Notices: one key, two apps, two messages; each app's day limit for an openid is its own.
    const alice = await f.openidOf('alice');
    const send = (token: string, key?: string) =>
      f.post(
        '/service/1.0/sendPrizeNotice',
        { access_token: token },
        { form: notice(alice), headers: key ? { 'Idempotency-Key': key } : {} },
      );
    assert.deepEqual((await send(tokenA, 'n-1')).body, { status: 200, result: '发送成功' });
    assert.deepEqual((await send(tokenB, 'n-1')).body, { status: 200, result: '发送成功' });
    assert.equal((await f.inbox(alice)).length, 2, "B's key is not A's");
    assert.deepEqual((await send(tokenA)).body, { status: 200, result: '发送成功' });
    assert.deepEqual((await send(tokenA)).body, { status: 0, result: '发送失败' }, "A's 2 a day for alice are spent");
    assert.deepEqual((await send(tokenB)).body, { status: 200, result: '发送成功' }, "B's are not");
    assert.deepEqual((await send(tokenB)).body, { status: 0, result: '发送失败' });
    const limited = ((await f.s.admin('/weiting/notices')).body.notices as Json[]).filter((n) => n.outcome === 'limited');
    assert.deepEqual(limited.map((n) => n.appid).sort(), [b.appid, f.appid].sort());

    // Tokens: a new token of A shortens A's previous one only; B's keeps its 7200 s.
    const info = (token: string) => f.get('/service/1.0/user/info', { access_token: token, openid: 'oNobody000000' });
    const tokenA2 = await f.token();
    clock.advance(300_001);
    assert.deepEqual((await info(tokenA)).body, TOKEN_REFUSED, "A's first token ended 5 minutes after A's second");
    assert.deepEqual((await info(tokenA2)).body, { result: null, flag: 1 });
    assert.deepEqual((await info(tokenB)).body, { result: null, flag: 1 }, "B's token is not A's to end");
    // Revoking A's tokens leaves B's.
    const revoked = await f.s.admin(`/weiting/apps/${f.appid}/revoke-tokens`, { method: 'POST' });
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
    assert.deepEqual((await info(tokenA2)).body, TOKEN_REFUSED);
    assert.deepEqual((await info(tokenB)).body, { result: null, flag: 1 });

    // The daily token limit counts per app.
    await f.s.admin(`/weiting/apps/${f.appid}`, { method: 'PATCH', body: { dailyTokenLimit: 4 } });
    await f.s.admin(`/weiting/apps/${b.appid}`, { method: 'PATCH', body: { dailyTokenLimit: 4 } });
    const over = { status: 45009, errMsg: 'access_token 今日获取次数已达上限' };
    await f.token(); // A's 3rd today, then its 4th
    await f.token();
    assert.deepEqual((await f.get('/service/1.0/access/token', { appid: f.appid, secret: f.secret })).body, over);
    await f.token(b.appid, b.secret); // B's 2nd, 3rd, 4th
    await f.token(b.appid, b.secret);
    await f.token(b.appid, b.secret);
    assert.deepEqual((await f.get('/service/1.0/access/token', { appid: b.appid, secret: b.secret })).body, over);
  });
}
