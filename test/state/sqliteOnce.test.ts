import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { migrateToLatest, openStore, type Store } from '../../src/store/database.ts';
import { SqliteStateStore } from '../../src/state/sqlite.ts';
import type { OnceLogThread } from '../../src/state/onceLogThread.ts';
import { platformMigrations } from '../../src/store/migrations/index.ts';

/*
 * The embedded store's one-time ids live in an append-only log plus an index in memory (see
 * SqliteStateStore). What that design must still guarantee, beyond the suite every backend runs:
 * a restarted process refuses what was recorded before; a second connection to the file refuses
 * what the first recorded; a batch that rolls back leaves nothing remembered; expired ids leave
 * the log.
 */

const LONG_TTL = 600_000;
const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'unclosed-child.ts');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SqliteStateStore one-time ids', () => {
  let dir: string;
  let store: Store;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kaifang-once-'));
    store = await openStore({ dataDir: dir });
    await migrateToLatest(store.db, platformMigrations);
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const open = async () => {
    const other = await openStore({ dataDir: dir });
    return { other, state: new SqliteStateStore(other.sqlite!, undefined, 0) };
  };

  test('a store opened later on the file (a restart) refuses ids recorded before', async () => {
    const first = new SqliteStateStore(store.sqlite!, undefined, 0);
    assert.deepEqual(await first.recordOnce('restart:a', LONG_TTL, []), []);
    await first.close();
    const { other, state } = await open();
    assert.equal(await state.recordOnce('restart:a', LONG_TTL, []), null);
    assert.deepEqual(await state.recordOnce('restart:b', LONG_TTL, []), []);
    await state.close();
    await other.close();
  });

  test('two connections at once: each refuses what the other recorded', async () => {
    const a = new SqliteStateStore(store.sqlite!, undefined, 0);
    const { other, state: b } = await open();
    assert.deepEqual(await a.recordOnce('pair:1', LONG_TTL, []), []);
    assert.equal(await b.recordOnce('pair:1', LONG_TTL, []), null);
    assert.deepEqual(await b.recordOnce('pair:2', LONG_TTL, []), []);
    assert.equal(await a.recordOnce('pair:2', LONG_TTL, []), null);
    await a.close();
    await b.close();
    await other.close();
  });

  for (const onThread of [false, true]) {
    test(`a batch that rolls back is forgotten: the same ids record afterwards (${onThread ? 'on its own thread' : 'on the request thread'})`, async () => {
      const state = new SqliteStateStore(store.sqlite!, undefined, 0, onThread);
      // Fails the batch after its first id has been taken in (a trigger every connection sees).
      store.sqlite!.exec(`create trigger once_boom before insert on once_log when new.id = 'rollback:boom'
        begin select raise(abort, 'boom'); end`);
      const ok = `rollback:ok:${onThread}`;
      const counter = [{ key: `rollback:c:${onThread}`, ttlMs: LONG_TTL }];
      const results = await Promise.allSettled([state.recordOnce(ok, LONG_TTL, counter), state.recordOnce('rollback:boom', LONG_TTL, [])]);
      assert.deepEqual(
        results.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : r.status)),
        ['boom', 'boom'],
      );
      store.sqlite!.exec('drop trigger once_boom');
      assert.deepEqual(await state.recordOnce(ok, LONG_TTL, counter), [1]);
      assert.deepEqual(await state.recordOnce(`rollback:boom:${onThread}`, LONG_TTL, []), []);
      await state.close();
    });
  }

  test('on its own thread: the counts and the index come back; when the thread dies, the request thread records and still refuses its ids', async () => {
    const state = new SqliteStateStore(store.sqlite!, undefined, 0, true);
    const window = [{ key: 'thread:window', ttlMs: LONG_TTL }];
    const counts = await Promise.all(['thread:a', 'thread:b', 'thread:a', 'thread:c'].map((id) => state.recordOnce(id, LONG_TTL, window)));
    assert.deepEqual(counts, [[1], [2], null, [3]]);
    const live = Number(store.sqlite!.prepare('select count(*) as n from once_log where expires_at > ?').pluck().get(Date.now()));
    assert.equal(state.replayIndex().ids, live);
    assert.ok(state.replayIndex().bytes > 0);

    const { thread } = (state as unknown as { thread: OnceLogThread }).thread;
    await thread.worker!.terminate();
    await new Promise((r) => setImmediate(r));
    assert.equal(await state.recordOnce('thread:b', LONG_TTL, window), null);
    assert.deepEqual(await state.recordOnce('thread:d', LONG_TTL, window), [4]);
    assert.equal(state.replayIndex().ids, live + 1);
    await state.close();
  });

  for (const mode of ['idle', 'record']) {
    test(`a process whose one-time id thread is never closed still exits (${mode})`, { timeout: 60_000 }, () => {
      const child = spawnSync(process.execPath, ['--import', 'tsx', FIXTURE, mode], {
        env: { ...process.env, KAIFANG_DATA_DIR: dir },
        timeout: 50_000,
      });
      assert.equal(child.signal, null, 'killed at the deadline: the thread held the process open');
      assert.equal(child.status, 0, child.stderr.toString());
    });
  }

  test('sweep: expired rows before the oldest live one go; the newest row always stays, so seq never goes back', async () => {
    const own = mkdtempSync(join(tmpdir(), 'kaifang-once-sweep-'));
    const fresh = await openStore({ dataDir: own });
    await migrateToLatest(fresh.db, platformMigrations);
    const state = new SqliteStateStore(fresh.sqlite!, undefined, 0);
    const rows = () => fresh.sqlite!.prepare<[], { seq: number; id: string }>('select seq, id from once_log order by seq').all();
    await state.recordOnce('sweep:a', 50, []);
    await state.recordOnce('sweep:b', 50, []);
    await state.recordOnce('sweep:live', LONG_TTL, []);
    await state.recordOnce('sweep:c', 50, []);
    await sleep(300);
    assert.equal(state.sweep(), 2);
    // sweep:c expired too, but it is after the oldest live row: it waits for that one.
    assert.deepEqual(
      rows().map((r) => r.id),
      ['sweep:live', 'sweep:c'],
    );
    assert.equal(await state.recordOnce('sweep:live', LONG_TTL, []), null);
    assert.deepEqual(await state.recordOnce('sweep:a', 50, []), []);

    // Everything expired: all but the newest row go, and the next row continues the sequence.
    fresh.sqlite!.prepare('update once_log set expires_at = 0').run();
    const before = rows();
    const newest = before.at(-1)!;
    assert.equal(state.sweep(), before.length - 1);
    assert.deepEqual(rows(), [newest]);
    await state.recordOnce('sweep:next', LONG_TTL, []);
    assert.equal(rows().at(-1)!.seq, newest.seq + 1);
    await state.close();
    await fresh.close();
    rmSync(own, { recursive: true, force: true });
  });
  test('counts join the group commit: 100 counts asked in one turn are one commit, 100 awaited one by one are 100', async () => {
    const fresh = await openStore({ dataDir: mkdtempSync(join(tmpdir(), 'kaifang-incr-')) });
    await migrateToLatest(fresh.db, platformMigrations);
    // No checkpoints, so the write-ahead log only grows: every commit appends at least one 4 KiB page.
    fresh.sqlite!.pragma('wal_autocheckpoint = 0');
    const state = new SqliteStateStore(fresh.sqlite!, undefined, 0);
    const wal = () => statSync(`${fresh.sqlitePath!}-wal`).size;
    const page = Number(fresh.sqlite!.pragma('page_size', { simple: true }));
    try {
      await state.incr('warm', LONG_TTL);
      let before = wal();
      const counts = await Promise.all(Array.from({ length: 100 }, (_, i) => state.incr(`together:${i % 3}`, LONG_TTL)));
      assert.deepEqual(
        counts.filter((_, i) => i % 3 === 0),
        Array.from({ length: 34 }, (_, i) => i + 1),
      );
      assert.ok(wal() - before < 5 * page, `one commit writes a few pages, not ${(wal() - before) / page}`);
      before = wal();
      for (let i = 0; i < 100; i++) await state.incr('alone', LONG_TTL);
      assert.ok(wal() - before >= 100 * page, 'each awaited count is a commit of its own');
    } finally {
      await state.close();
      rmSync(join(fresh.sqlitePath!, '..'), { recursive: true, force: true });
      await fresh.close();
    }
  });
});
