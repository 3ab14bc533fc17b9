import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { stopServersOn } from './serving.ts';

/**
 * The storage backends a suite runs against: always SQLite; PostgreSQL + Redis too when
 * DATABASE_URL and REDIS_URL are set (CI sets them). Each backend instance gets its own data
 * directory, PostgreSQL schema and Redis prefix, so suites and processes never see each other's data.
 */
export interface Backend {
  name: 'sqlite' | 'postgres+redis';
  /** Environment for a kaifang process or `loadConfig` on this backend. */
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

export const hasPostgresAndRedis = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);

export const TEST_MASTER_KEY = randomBytes(32).toString('hex');
export const TEST_ADMIN_TOKEN = 'test-admin-token-' + randomBytes(8).toString('hex');

export function backendNames(): Backend['name'][] {
  return hasPostgresAndRedis ? ['sqlite', 'postgres+redis'] : ['sqlite'];
}

/** Skip reason for tests that need PostgreSQL + Redis on a machine without them. */
export const needsPostgresAndRedis = hasPostgresAndRedis ? false : 'DATABASE_URL and REDIS_URL are not set';

export async function makeBackend(name: Backend['name']): Promise<Backend> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kaifang-test-'));
  const common = {
    KAIFANG_DATA_DIR: dataDir,
    KAIFANG_MASTER_KEY: TEST_MASTER_KEY,
    KAIFANG_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    KAIFANG_LOG_LEVEL: 'silent',
    // A test's server stops at once: the drain window is for load balancers (test/cli/stopping.test.ts sets its own).
    KAIFANG_DRAIN_MS: '0',
  };
  if (name === 'sqlite') {
    // Empty, not absent: a child process given this environment over CI's must not reach PostgreSQL.
    return {
      name,
      env: { ...common, DATABASE_URL: '', REDIS_URL: '' },
      cleanup: async () => {
        await stopServersOn(dataDir);
        rmSync(dataDir, { recursive: true, force: true, maxRetries: 5 });
      },
    };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const prefix = `kaifang-test:${schema}:`;
  return {
    name,
    env: {
      ...common,
      DATABASE_URL: process.env.DATABASE_URL!,
      KAIFANG_DB_SCHEMA: schema,
      REDIS_URL: process.env.REDIS_URL!,
      KAIFANG_REDIS_PREFIX: prefix,
    },
    async cleanup() {
      await stopServersOn(dataDir);
      await dropSchema(schema);
      const { Redis } = await import('ioredis');
      const redis = new Redis(process.env.REDIS_URL!);
      try {
        const keys = await redis.keys(`${prefix}*`);
        if (keys.length > 0) await redis.del(...keys);
      } finally {
        redis.disconnect();
      }
      rmSync(dataDir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}

/** PostgreSQL's codes for a lock the drop lost or waited too long for: the drop is tried again. */
const LOCK_CONFLICTS = new Set(['40P01', '55P03']);

/**
 * Drops a test schema. An in-process server of the test may still be writing (its hooks close it
 * after this one runs): when the drop and a write lock each other out, PostgreSQL ends one of them,
 * and a failed drop is tried again rather than failing the test after it passed.
 */
async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    await client.query(`SET lock_timeout = '5s'`);
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        return;
      } catch (err) {
        if (attempt >= 5 || !LOCK_CONFLICTS.has((err as { code?: string }).code ?? '')) throw err;
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
  } finally {
    await client.end();
  }
}
