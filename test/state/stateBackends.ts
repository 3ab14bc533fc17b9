import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/kernel/clock.ts';
import { migrateToLatest, openStore, type Store } from '../../src/store/database.ts';
import { RedisStateStore } from '../../src/state/redis.ts';
import { SqlStateStore } from '../../src/state/sql.ts';
import { SqliteStateStore } from '../../src/state/sqlite.ts';
import type { StateStore } from '../../src/state/state.ts';
import { hasPostgresAndRedis, makeBackend } from '../helpers/backends.ts';
import { platformMigrations } from '../../src/store/migrations/index.ts';

/**
 * The StateStore backends: SQLite through prepared statements (the embedded default, which records
 * one-time ids on a thread of its own: `sqlite-thread`; `sqlite` records them on the request
 * thread, as it does when that thread has died), the Kysely SQL state on SQLite and on PostgreSQL,
 * and Redis.
 */
export type StateKind = 'sqlite' | 'sqlite-thread' | 'sql-sqlite' | 'sql-postgres' | 'redis';

export const stateKinds: { kind: StateKind; skip: string | false }[] = [
  { kind: 'sqlite', skip: false },
  { kind: 'sqlite-thread', skip: false },
  { kind: 'sql-sqlite', skip: false },
  { kind: 'sql-postgres', skip: hasPostgresAndRedis ? false : 'DATABASE_URL and REDIS_URL are not set: PostgreSQL state skipped' },
  { kind: 'redis', skip: hasPostgresAndRedis ? false : 'DATABASE_URL and REDIS_URL are not set: Redis state skipped' },
];

export interface OpenedState {
  state: StateStore;
  close(): Promise<void>;
}

/**
 * Opens the state store of `kind` described by `env` (the same environment a kaifang process gets),
 * in this process; child processes call it with the environment the parent hands them.
 */
export async function openState(kind: StateKind, env: Record<string, string | undefined>): Promise<OpenedState> {
  if (kind === 'redis') {
    const state = new RedisStateStore(env.REDIS_URL!, env.KAIFANG_REDIS_PREFIX!);
    return { state, close: () => state.close() };
  }
  const store: Store = await openStore({
    dataDir: env.KAIFANG_DATA_DIR!,
    databaseUrl: kind === 'sql-postgres' ? env.DATABASE_URL : undefined,
    databaseSchema: kind === 'sql-postgres' ? env.KAIFANG_DB_SCHEMA : undefined,
  });
  // The contention tests (100 concurrent writers of one row, 3 processes) test atomicity, not the
  // deadline (test/state/deadline.test.ts does): on a busy machine a queue of them may take longer.
  const state =
    kind === 'sqlite' || kind === 'sqlite-thread'
      ? new SqliteStateStore(store.sqlite!, systemClock, 0, kind === 'sqlite-thread')
      : new SqlStateStore(store.db, systemClock, 0, 30_000);
  return {
    state,
    async close() {
      await state.close();
      await store.close();
    },
  };
}

export interface StateBackend extends OpenedState {
  kind: StateKind;
  /** Environment for child processes that open the same backend with `openState`. */
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

/** A fresh, private backend of `kind` (own SQLite file, PostgreSQL schema or Redis prefix), migrated. */
export async function makeStateBackend(kind: StateKind): Promise<StateBackend> {
  let env: Record<string, string>;
  let cleanupBackend: () => Promise<void>;
  if (kind === 'sqlite' || kind === 'sqlite-thread' || kind === 'sql-sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'kaifang-state-'));
    env = { KAIFANG_DATA_DIR: dir };
    cleanupBackend = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const backend = await makeBackend('postgres+redis');
    env = backend.env;
    cleanupBackend = () => backend.cleanup();
  }
  if (kind !== 'redis') {
    const store = await openStore({
      dataDir: env.KAIFANG_DATA_DIR!,
      databaseUrl: kind === 'sql-postgres' ? env.DATABASE_URL : undefined,
      databaseSchema: kind === 'sql-postgres' ? env.KAIFANG_DB_SCHEMA : undefined,
    });
    await migrateToLatest(store.db, platformMigrations, kind === 'sql-postgres' ? env.KAIFANG_DB_SCHEMA : undefined);
    await store.close();
  }
  const opened = await openState(kind, env);
  return {
    kind,
    env: { ...env, STATE_KIND: kind },
    state: opened.state,
    close: opened.close,
    async cleanup() {
      await opened.close();
      await cleanupBackend();
    },
  };
}
