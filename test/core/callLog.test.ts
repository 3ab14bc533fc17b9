import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { CallLog, type CallRecord } from '../../src/core/callLog.ts';
import { formatCompact } from '../../src/kernel/cst.ts';
import { opretail } from '../../src/fronts/opretail/signing.ts';
import { migrateToLatest, openStore } from '../../src/store/database.ts';
import { SqliteBackgroundWriter } from '../../src/store/sqliteWriter.ts';
import { backendNames, makeBackend } from '../helpers/backends.ts';
import { startServer } from '../helpers/server.ts';
import { platformMigrations } from '../../src/store/migrations/index.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const row = (i: number, over: Partial<CallRecord> = {}): CallRecord => ({
  at: 1_750_000_000_000 + i * 1000,
  front: i % 2 === 0 ? 'opretail' : 'storepos',
  endpoint: i % 2 === 0 ? 'open.gateway.authentication' : '/api/sms',
  credential: i % 3 === 0 ? null : `cred-${i % 3}`,
  outcome: String(i),
  result: i % 4 === 0 ? 'refused' : 'ok',
  latencyMs: 1.23456 + i,
  requestId: `req-${i}`,
  ...over,
});

// SQLite runs twice: through Kysely, and through the writer thread the server uses.
const variants = [...backendNames().map((name) => ({ name, thread: false })), { name: 'sqlite' as const, thread: true }];
for (const { name, thread } of variants) {
  test(`call log: batched writes, timer flush, query filters, prune (${name}${thread ? ', writer thread' : ''})`, async (t) => {
    const backend = await makeBackend(name);
    const store = await openStore({
      dataDir: backend.env.KAIFANG_DATA_DIR!,
      databaseUrl: backend.env.DATABASE_URL,
      databaseSchema: backend.env.KAIFANG_DB_SCHEMA,
    });
    await migrateToLatest(store.db, platformMigrations, backend.env.KAIFANG_DB_SCHEMA);
    const writer = thread ? new SqliteBackgroundWriter(store.sqlitePath!) : undefined;
    t.after(async () => {
      await writer?.close();
      await store.close();
      await backend.cleanup();
    });
    const count = async () => Number((await sql<{ n: number }>`select count(*) as n from call_log`.execute(store.db)).rows[0]!.n);
    const errors: unknown[] = [];
    const log = new CallLog(store.db, (err) => errors.push(err), 50, 3, writer);

    // Fewer rows than a batch are not written at once, but by the timer.
    log.record(row(0));
    assert.equal(await count(), 0);
    // The timer (50 ms) writes it; a loaded machine may take longer, so wait for it, boundedly.
    for (let waited = 0; (await count()) === 0 && waited < 5000; waited += 50) await sleep(50);
    assert.equal(await count(), 1);

    // A full batch is written without waiting for the timer.
    log.record(row(1));
    log.record(row(2));
    assert.equal(await count(), 1);
    log.record(row(3)); // the third row of this batch: a flush starts
    await log.flush(); // nothing new buffered: waits for the running flush
    assert.equal(await count(), 4);

    for (let i = 4; i < 10; i++) log.record(row(i));
    // query flushes first, then returns newest first
    const all = await log.query({});
    assert.equal(all.length, 10);
    assert.deepEqual(
      all.map((r) => r.requestId),
      Array.from({ length: 10 }, (_, i) => `req-${9 - i}`),
    );
    assert.deepEqual(all.at(-1), { ...row(0), latencyMs: 1.235 }); // latency kept to the microsecond
    assert.equal(typeof all[0]!.at, 'number');

    assert.deepEqual(
      (await log.query({ front: 'storepos' })).map((r) => r.outcome),
      ['9', '7', '5', '3', '1'],
    );
    assert.deepEqual(
      (await log.query({ credential: 'cred-1' })).map((r) => r.outcome),
      ['7', '4', '1'],
    );
    assert.deepEqual(
      (await log.query({ since: row(3).at, until: row(6).at })).map((r) => r.outcome),
      ['5', '4', '3'],
    );
    assert.deepEqual(
      (await log.query({ limit: 2 })).map((r) => r.outcome),
      ['9', '8'],
    );

    // Text the array literal of PostgreSQL's batch insert must quote: braces, commas, quotes,
    // backslashes, the word NULL, an empty string, non-ASCII; and a null credential and result.
    const awkward = ['{a,b}', 'say "hi"', 'back\\slash', 'NULL', '', '开放 ,"{}"\\'];
    for (const [i, text] of awkward.entries())
      log.record(
        row(100 + i, {
          endpoint: text,
          outcome: text,
          requestId: `odd-${i}-${text}`,
          credential: i % 2 ? null : text,
          result: i % 2 ? null : 'error',
        }),
      );
    const odd = (await log.query({ limit: awkward.length })).reverse();
    assert.deepEqual(
      odd.map((r) => [r.endpoint, r.outcome, r.requestId, r.credential, r.result]),
      awkward.map((text, i) => [text, text, `odd-${i}-${text}`, i % 2 ? null : text, i % 2 ? null : 'error']),
    );

    assert.equal(await log.prune(row(5).at), 5);
    assert.equal(await count(), 5 + awkward.length);
    assert.deepEqual(errors, []);
  });
}

test('call log: a failing write goes to onError, not to the caller, and later writes still work', async (t) => {
  const backend = await makeBackend('sqlite');
  t.after(() => backend.cleanup());
  const store = await openStore({ dataDir: backend.env.KAIFANG_DATA_DIR! });
  // no migration: the call_log table does not exist, so the insert fails
  const errors: unknown[] = [];
  const log = new CallLog(store.db, (err) => errors.push(err), 10_000, 1000);
  log.record(row(0));
  await log.flush();
  assert.equal(errors.length, 1);
  await migrateToLatest(store.db, platformMigrations);
  log.record(row(1));
  assert.deepEqual(
    (await log.query({})).map((r) => r.requestId),
    ['req-1'],
  );
  await store.close();
});

test('call log: a sink that keeps order gets each batch at once, any other one batch at a time; flush waits for every batch', async (t) => {
  const backend = await makeBackend('sqlite');
  t.after(() => backend.cleanup());
  const store = await openStore({ dataDir: backend.env.KAIFANG_DATA_DIR! });
  t.after(() => store.close());
  for (const inOrder of [true, false]) {
    /** Each batch handed to the sink, as its rows' outcomes joined: '0,1'. */
    const handed: string[] = [];
    const commits: (() => void)[] = [];
    const sink = {
      inOrder,
      write: (rows: CallRecord[]) => {
        handed.push(rows.map((r) => r.outcome).join(','));
        return new Promise<void>((resolve) => commits.push(resolve));
      },
      prune: async () => 0,
    };
    // Two rows a batch, and a timer too long to fire during the test.
    const log = new CallLog(store.db, (err) => assert.fail(String(err)), 60_000, 2, sink);
    for (let i = 0; i < 4; i++) log.record(row(i));
    await sleep(5);
    const expected = inOrder ? ['0,1', '2,3'] : ['0,1'];
    assert.deepEqual(handed, expected, `inOrder ${inOrder}: the batches handed over before the first commit`);
    let flushed = false;
    const flushing = log.flush().then(() => (flushed = true));
    commits[0]!();
    await sleep(5);
    assert.equal(flushed, false, `inOrder ${inOrder}: flush waits for the second batch`);
    assert.deepEqual(handed, ['0,1', '2,3'], `inOrder ${inOrder}: both batches handed over once the first committed`);
    commits[1]!();
    await flushing;
    assert.equal(flushed, true);
  }
});

test('call log through the server: one row per gateway call, with the request id, and no secret or signature', async (t) => {
  const s = await startServer();
  t.after(() => s.close());
  const created = await s.admin('/opretail/keys', { body: { username: 'calllog', enterpriseId: 42 } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const { applicationKey, secret: applicationSecret } = created.body as { applicationKey: string; secret: string };
  const params: Record<string, string> = {
    _aid: 'S107',
    _akey: applicationKey,
    _mt: 'open.gateway.authentication',
    _sm: 'md5',
    _requestMode: 'post',
    _version: 'v2',
    _timestamp: formatCompact(Date.now()),
    orgid: '42',
  };
  params._sig = opretail.sign(params, applicationSecret, 'md5');
  const ok = await fetch(`${s.url}/m.api`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-request-id': 'calllog-ok-1' },
    body: new URLSearchParams(params).toString(),
  });
  assert.equal(((await ok.json()) as { stat: { code: number } }).stat.code, 0);
  const bad = await fetch(`${s.url}/m.api`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-request-id': 'calllog-bad-1' },
    body: new URLSearchParams({ ...params, _sig: 'BADSIGNATURE0123456789ABCDEF0000', orgid: '42' }).toString(),
  });
  assert.equal(((await bad.json()) as { stat: { code: number } }).stat.code, 7);

  const { status, body } = await s.admin('/calls?front=opretail');
  assert.equal(status, 200);
  const calls = (body as { calls: CallRecord[] }).calls;
  const byId = new Map(calls.map((c) => [c.requestId, c]));
  assert.equal(byId.get('calllog-ok-1')?.outcome, '0');
  assert.equal(byId.get('calllog-ok-1')?.credential, applicationKey);
  assert.equal(byId.get('calllog-bad-1')?.outcome, '7');
  const text = JSON.stringify(body);
  for (const secret of [applicationSecret, params._sig!, 'BADSIGNATURE0123456789ABCDEF0000', s.adminToken]) {
    assert.ok(!text.includes(secret), `the call log shows ${secret}`);
  }
});
