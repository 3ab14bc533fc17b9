import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { CallLog } from '../../src/core/callLog.ts';
import { migrateToLatest, openStore } from '../../src/store/database.ts';
import { SqliteBackgroundWriter } from '../../src/store/sqliteWriter.ts';
import { SharedThread } from '../../src/kernel/worker.ts';
import { SqliteStateStore } from '../../src/state/sqlite.ts';
import type { OnceLogThread } from '../../src/state/onceLogThread.ts';
import { makeBackend } from '../helpers/backends.ts';
import { platformMigrations } from '../../src/store/migrations/index.ts';

/*
 * The embedded store's writer thread: it checkpoints the WAL for the request thread's connection
 * (which stops checkpointing on its own) and gives that job back when it stops; a failed call-log
 * write reaches onError and the thread keeps working.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('writer thread: takes over WAL checkpoints from the request connection, and gives them back on close', async (t) => {
  const backend = await makeBackend('sqlite');
  const store = await openStore({ dataDir: backend.env.KAIFANG_DATA_DIR! });
  t.after(async () => {
    await store.close();
    await backend.cleanup();
  });
  await migrateToLatest(store.db, platformMigrations);
  const sqlite = store.sqlite!;
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  const writer = new SqliteBackgroundWriter(store.sqlitePath!, 50);
  writer.takeOverCheckpoints(sqlite);
  assert.equal(sqlite.pragma('wal_autocheckpoint', { simple: true }), 0);

  // ~2 MB through the request connection: far past SQLite's own 1,000-page checkpoint point, so
  // the database file grows only if someone else checkpoints.
  const before = statSync(store.sqlitePath!).size;
  sqlite.exec('create table filler (x blob)');
  const insert = sqlite.prepare('insert into filler (x) values (randomblob(4000))');
  sqlite.transaction(() => {
    for (let i = 0; i < 500; i++) insert.run();
  })();
  // The thread checkpoints every 50 ms once it is up (from the TypeScript source, it first loads tsx).
  for (const deadline = Date.now() + 10_000; statSync(store.sqlitePath!).size <= before + 1_000_000 && Date.now() < deadline; )
    await sleep(50);
  assert.ok(statSync(store.sqlitePath!).size > before + 1_000_000, 'the writer thread copied the WAL into the database file');

  await writer.close();
  assert.equal(sqlite.pragma('wal_autocheckpoint', { simple: true }), 1000);
});

test('writer thread: a failing call-log write goes to onError; the thread keeps working', async (t) => {
  const backend = await makeBackend('sqlite');
  const store = await openStore({ dataDir: backend.env.KAIFANG_DATA_DIR! });
  const writer = new SqliteBackgroundWriter(store.sqlitePath!);
  t.after(async () => {
    await writer.close();
    await store.close();
    await backend.cleanup();
  });
  const errors: unknown[] = [];
  const log = new CallLog(store.db, (err) => errors.push(err), 10_000, 1000, writer);
  const row = (requestId: string) => ({
    at: Date.now(),
    front: 'opretail',
    endpoint: '/m.api',
    credential: null,
    outcome: '0',
    result: 'ok' as const,
    latencyMs: 1,
    requestId,
  });
  log.record(row('before-migration')); // no call_log table yet
  await log.flush();
  assert.equal(errors.length, 1);
  assert.match(String(errors[0]), /SQLite writer: no such table: call_log/);
  await migrateToLatest(store.db, platformMigrations);
  log.record(row('after-migration'));
  assert.deepEqual(
    (await log.query({})).map((r) => r.requestId),
    ['after-migration'],
  );
  assert.equal(await log.prune(Date.now() + 1000), 1);
});

test("one thread for the server's SQLite roles: one-time ids and call-log writes on it; when it dies, each owner takes its work back", async (t) => {
  const backend = await makeBackend('sqlite');
  const store = await openStore({ dataDir: backend.env.KAIFANG_DATA_DIR! });
  await migrateToLatest(store.db, platformMigrations);
  const thread = new SharedThread('SQLite thread');
  const state = new SqliteStateStore(store.sqlite!, undefined, 0, thread);
  const writer = new SqliteBackgroundWriter(store.sqlitePath!, 250, thread);
  writer.takeOverCheckpoints(store.sqlite!);
  const errors: unknown[] = [];
  const log = new CallLog(store.db, (err) => errors.push(err), 10_000, 1000, writer);
  t.after(async () => {
    await writer.close();
    await state.close();
    await store.close();
    await backend.cleanup();
  });
  const window = [{ key: 'shared:window', ttlMs: 600_000 }];
  assert.deepEqual(await state.recordOnce('shared:a', 600_000, window), [1]);
  log.record({
    at: Date.now(),
    front: 'opretail',
    endpoint: '/m.api',
    credential: null,
    outcome: '0',
    result: 'ok',
    latencyMs: 1,
    requestId: 'r1',
  });
  await log.flush();
  assert.deepEqual(errors, []);
  assert.deepEqual(
    (await log.query({})).map((r) => r.requestId),
    ['r1'],
  );
  assert.equal(state.replayIndex().ids, 1, 'the index lives on the thread and answered with the record');
  const { thread: onceThread } = (state as unknown as { thread: OnceLogThread }).thread;
  assert.equal(onceThread, thread, 'the one-time ids run on the thread given');

  await thread.worker!.terminate();
  await new Promise((r) => setImmediate(r));
  assert.equal(store.sqlite!.pragma('wal_autocheckpoint', { simple: true }), 1000, 'checkpoints back on the request connection');
  assert.equal(await state.recordOnce('shared:a', 600_000, window), null, 'the id recorded on the thread is still refused');
  assert.deepEqual(await state.recordOnce('shared:b', 600_000, window), [2]);
  await assert.rejects(writer.write([]), /SQLite thread exited/);
});
