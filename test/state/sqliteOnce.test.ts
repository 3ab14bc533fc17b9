import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateToLatest, openStore, type Store } from '../../src/store/database.ts';
import { SqliteStateStore } from '../../src/state/sqlite.ts';

/*
 * The embedded store's one-time ids live in an append-only log plus an index in memory (see
 * SqliteStateStore). What that design must still guarantee, beyond the suite every backend runs:
 * a restarted process refuses what was recorded before; a second connection to the file refuses
 * what the first recorded; a batch that rolls back leaves nothing remembered; expired ids leave
 * the log.
 */

const LONG_TTL = 600_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SqliteStateStore one-time ids', () => {
  let dir: string;
  let store: Store;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kaifang-once-'));
    store = await openStore({ dataDir: dir });
    await migrateToLatest(store.db);
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

  test('a batch that rolls back is forgotten: the same ids record afterwards', async () => {
    const state = new SqliteStateStore(store.sqlite!, undefined, 0);
    // Fails the batch after its first id has been taken in.
    store.sqlite!.exec(`create temp trigger once_boom before insert on once_log when new.id = 'rollback:boom'
      begin select raise(abort, 'boom'); end`);
    const results = await Promise.allSettled([
      state.recordOnce('rollback:ok', LONG_TTL, [{ key: 'rollback:c', ttlMs: LONG_TTL }]),
      state.recordOnce('rollback:boom', LONG_TTL, []),
    ]);
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
    store.sqlite!.exec('drop trigger once_boom');
    assert.deepEqual(await state.recordOnce('rollback:ok', LONG_TTL, [{ key: 'rollback:c', ttlMs: LONG_TTL }]), [1]);
    assert.deepEqual(await state.recordOnce('rollback:boom', LONG_TTL, []), []);
    await state.close();
  });

  test('sweep deletes expired ids from the log; live ones stay refused', async () => {
    const state = new SqliteStateStore(store.sqlite!, undefined, 0);
    await state.recordOnce('sweep:short', 50, []);
    await state.recordOnce('sweep:long', LONG_TTL, []);
    await sleep(300);
    assert.ok(state.sweep() >= 1);
    const ids = store.sqlite!.prepare('select id from once_log where id like ?').pluck().all('sweep:%');
    assert.deepEqual(ids, ['sweep:long']);
    assert.equal(await state.recordOnce('sweep:long', LONG_TTL, []), null);
    assert.deepEqual(await state.recordOnce('sweep:short', LONG_TTL, []), []);
    await state.close();
  });
});
