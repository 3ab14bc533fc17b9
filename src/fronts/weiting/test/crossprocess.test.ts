import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { backendNames, makeBackend, TEST_ADMIN_TOKEN } from '../../../../test/helpers/backends.ts';
import { serveProcess, stopProcess } from '../../../../test/helpers/children.ts';
import { notice, OA_APPID, OA_TEMPLATE, type Json } from './helpers.ts';

/**
 * The 微厅 front across `kaifang serve` processes sharing one backend: the official account's
 * token is fetched once however many processes send notices at once, an order number that was
 * answered survives `kill -9` right after the answer (and its keyed retry gets it back), and order
 * numbers are unique and sorted by time whichever process made them.
 */

type Served = Awaited<ReturnType<typeof serveProcess>>;

/**
 * Two `kaifang serve` processes on one backend, started at once (the store's migrations are safe
 * for that), stopped after the test.
 */
async function bothProcesses(t: TestContext, env: Record<string, string>): Promise<[Served, Served]> {
  const started = await Promise.allSettled([serveProcess(env), serveProcess(env)]);
  for (const s of started) if (s.status === 'fulfilled') t.after(() => stopProcess(s.value.child));
  for (const s of started) if (s.status === 'rejected') throw s.reason;
  return started.map((s) => (s as PromiseFulfilledResult<Served>).value) as [Served, Served];
}

async function admin(url: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${url}/admin/api${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

/** Registers the official account and a partner app through `url`; a fresh access token of the app. */
async function seed(url: string): Promise<{ appid: string; token: string }> {
  const oa = await admin(url, '/wechat/official-accounts', {
    appid: OA_APPID,
    secret: 'oa-secret-0123456789abcdef012345',
    name: '上海电信',
    prizeTemplateId: OA_TEMPLATE,
  });
  assert.equal(oa.status, 201, JSON.stringify(oa.body));
  const app = await admin(url, '/weiting/apps', { name: 'partner', allowedHosts: ['partner.example.com'] });
  assert.equal(app.status, 201, JSON.stringify(app.body));
  const { appid, secret } = app.body as { appid: string; secret: string };
  const res = await fetch(`${url}/service/1.0/access/token?${new URLSearchParams({ appid, secret })}`);
  const got = (await res.json()) as Json;
  assert.equal(got.status, 200, JSON.stringify(got));
  return { appid, token: got.data as string };
}

async function sendNotice(url: string, token: string, openid: string): Promise<Json> {
  const res = await fetch(`${url}/service/1.0/sendPrizeNotice?access_token=${encodeURIComponent(token)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(notice(openid)).toString(),
  });
  assert.equal(res.status, 200);
  return (await res.json()) as Json;
}

const orderFields = (i: number) => ({
  openid: `oCrossOrder${String(i).padStart(4, '0')}`,
  deviceno: `177${String(i).padStart(8, '0')}`,
  traffic_package_name: '1GB 日包',
  channel: 'app',
  from: 'crossprocess',
});

/** flowOrders/create at `url`: the answered order number (asserted to be one). */
async function createOrder(url: string, token: string, fields: Record<string, string>, idempotencyKey?: string): Promise<string> {
  const res = await fetch(`${url}/service/flowOrders/create?access_token=${encodeURIComponent(token)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {}) },
    body: JSON.stringify(fields),
  });
  assert.equal(res.status, 200);
  const body = (await res.json()) as Json;
  assert.equal(body.status, 200, JSON.stringify(body));
  assert.match(body.data, /^\d{23}$/);
  return body.data as string;
}

async function recordedOrders(url: string): Promise<Json[]> {
  const r = await admin(url, '/weiting/orders?limit=500');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.orders as Json[];
}

async function tokenFetches(url: string): Promise<number> {
  return ((await (await fetch(`${url}/sandbox/wechat/token-fetches?appid=${OA_APPID}`)).json()) as { fetches: number }).fetches;
}

for (const name of backendNames()) {
  test(`weiting across two processes: 100 concurrent prize notices cause one official-account token fetch (${name})`, {
    timeout: 60_000,
  }, async (t) => {
    const backend = await makeBackend(name);
    t.after(() => backend.cleanup());
    const [a, b] = await bothProcesses(t, backend.env);
    const { token } = await seed(a.url);
    assert.equal(await tokenFetches(a.url), 0, 'no official-account token before the first notice');

    const N = 100;
    const openids = Array.from({ length: N }, (_, i) => `oCross${String(i).padStart(3, '0')}`);
    const replies = await Promise.all(openids.map((openid, i) => sendNotice(i % 2 === 0 ? a.url : b.url, token, openid)));
    for (const [i, r] of replies.entries())
      assert.deepEqual(r, { status: 200, result: '发送成功' }, `${openids[i]} at process ${i % 2 === 0 ? 'A' : 'B'}`);

    assert.equal(await tokenFetches(a.url), 1, 'one official-account token fetch for both processes');
    assert.equal(await tokenFetches(b.url), 1, 'each process sees the same count');
    const inbox = await admin(b.url, '/sandbox/template-messages?limit=500');
    assert.equal(inbox.status, 200, JSON.stringify(inbox.body));
    const messages = inbox.body.messages as Json[];
    assert.equal(messages.length, N);
    assert.deepEqual(messages.map((m) => m.touser).sort(), [...openids].sort(), 'one message to each openid');
    assert.ok(messages.every((m) => m.appid === OA_APPID && m.templateId === OA_TEMPLATE));
  });

  test(`weiting durability: an answered order number is never lost: kill -9 right after the replies (${name})`, async (t) => {
    const backend = await makeBackend(name);
    t.after(() => backend.cleanup());
    const first = await serveProcess(backend.env);
    t.after(() => stopProcess(first.child));
    const { appid, token } = await seed(first.url);

    const N = 50;
    const keyOf = (i: number) => (i % 3 === 0 ? `crash-order-${i}` : undefined);
    const answered = await Promise.all(Array.from({ length: N }, (_, i) => createOrder(first.url, token, orderFields(i), keyOf(i))));
    first.child.kill('SIGKILL');
    await new Promise((r) => (first.child.exitCode !== null || first.child.signalCode !== null ? r(null) : first.child.once('exit', r)));
    assert.equal(first.child.signalCode, 'SIGKILL');
    assert.equal(new Set(answered).size, N, 'distinct numbers');

    const second = await serveProcess(backend.env);
    t.after(() => stopProcess(second.child));
    const recorded = await recordedOrders(second.url);
    const byNo = new Map(recorded.map((o) => [o.orderNo as string, o]));
    for (const [i, no] of answered.entries()) {
      const row = byNo.get(no);
      assert.ok(row, `order ${i} answered ${no} but not recorded`);
      assert.equal(row.appid, appid);
      assert.deepEqual(row.fields, orderFields(i));
      assert.equal(row.deviceno, orderFields(i).deviceno);
    }
    assert.equal(recorded.length, N, 'one row per answered order');

    // The keyed ones retried against the new process: the same numbers, no new rows. The token
    // issued by the killed process still works on the new one.
    const keyed = answered.map((no, i) => ({ no, i, key: keyOf(i) })).filter((k) => k.key !== undefined);
    assert.ok(keyed.length >= 10);
    const retried = await Promise.all(keyed.map((k) => createOrder(second.url, token, orderFields(k.i), k.key)));
    assert.deepEqual(
      retried,
      keyed.map((k) => k.no),
    );
    assert.equal((await recordedOrders(second.url)).length, N, 'no new order rows');
  });

  test(`weiting across two processes: order numbers are unique and sort by time (${name})`, async (t) => {
    const backend = await makeBackend(name);
    t.after(() => backend.cleanup());
    const [a, b] = await bothProcesses(t, backend.env);
    const { token } = await seed(a.url);

    // One after another, alternating processes: the time part never goes back.
    const SEQUENTIAL = 40;
    const sequential: string[] = [];
    for (let i = 0; i < SEQUENTIAL; i++) sequential.push(await createOrder(i % 2 === 0 ? a.url : b.url, token, orderFields(i)));
    assert.equal(new Set(sequential).size, SEQUENTIAL, 'unique');
    for (let i = 1; i < SEQUENTIAL; i++) {
      assert.ok(
        sequential[i]!.slice(0, 17) >= sequential[i - 1]!.slice(0, 17),
        `order ${i} (${sequential[i]}) is earlier than order ${i - 1} (${sequential[i - 1]})`,
      );
    }

    // All at once across both: still unique.
    const CONCURRENT = 40;
    const concurrent = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) => createOrder(i % 2 === 0 ? a.url : b.url, token, orderFields(SEQUENTIAL + i))),
    );
    assert.equal(new Set([...sequential, ...concurrent]).size, SEQUENTIAL + CONCURRENT, 'unique across both processes');
    const recorded = (await recordedOrders(b.url)).map((o) => o.orderNo as string);
    assert.equal(recorded.length, SEQUENTIAL + CONCURRENT);
    assert.deepEqual([...recorded].sort(), [...sequential, ...concurrent].sort(), 'every answered number recorded, once');
  });
}
