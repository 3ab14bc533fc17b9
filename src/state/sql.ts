import { sql, type Kysely } from 'kysely';
import { systemClock, type Clock } from '../kernel/clock.ts';
import type { Database } from '../store/schema.ts';
import { withDeadline, type Counter, type StateStore } from './state.ts';

/**
 * State in the `kv_state` table of the durable store (the default: survives restarts, shared by
 * every process on the same database). Each operation is one statement, so the database's own
 * row locking makes it atomic; `INSERT … ON CONFLICT … RETURNING` works on SQLite ≥ 3.35 and
 * PostgreSQL alike.
 */
export class SqlStateStore implements StateStore {
  readonly backend = 'sql' as const;
  private sweeper: NodeJS.Timeout | undefined;

  /**
   * Every operation fails with StateUnavailable when the database has not answered within
   * `timeoutMs` (KAIFANG_STATE_TIMEOUT_MS), as the Redis state does.
   */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock = systemClock,
    sweepEveryMs = 60_000,
    private readonly timeoutMs = 500,
  ) {
    if (sweepEveryMs > 0) {
      this.sweeper = setInterval(() => void this.sweep().catch(() => undefined), sweepEveryMs);
      this.sweeper.unref();
    }
  }

  private deadline<T>(op: Promise<T>): Promise<T> {
    return withDeadline(op, this.timeoutMs, 'the database (state)');
  }

  putIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    return this.deadline(SqlStateStore.put(this.db, this.clock.now(), key, value, ttlMs));
  }

  async recordOnce(id: string, ttlMs: number, counters: readonly Counter[]): Promise<number[] | null> {
    const key = `once:${id}`;
    if (counters.length === 0) return (await this.putIfAbsent(key, '1', ttlMs)) ? [] : null;
    return this.deadline(this.recordWithCounts(key, ttlMs, counters));
  }

  private recordWithCounts(key: string, ttlMs: number, counters: readonly Counter[]): Promise<number[] | null> {
    return this.db.transaction().execute(async (trx) => {
      const now = this.clock.now();
      if (!(await SqlStateStore.put(trx, now, key, '1', ttlMs))) return null;
      const counts: number[] = [];
      for (const c of counters) counts.push(await SqlStateStore.count(trx, now, c.key, c.ttlMs));
      return counts;
    });
  }

  private static async put(db: Kysely<Database>, now: number, key: string, value: string, ttlMs: number): Promise<boolean> {
    const row = await db
      .insertInto('kv_state')
      .values({ key, value, n: 0, expires_at: now + ttlMs })
      .onConflict((oc) =>
        oc
          .column('key')
          .doUpdateSet({ value, n: 0, expires_at: now + ttlMs })
          .where('kv_state.expires_at', '<=', now),
      )
      .returning('key')
      .executeTakeFirst();
    return row !== undefined;
  }

  async take(key: string): Promise<string | null> {
    const row = await this.deadline(
      this.db.deleteFrom('kv_state').where('key', '=', key).returning(['value', 'expires_at']).executeTakeFirst(),
    );
    return row && row.expires_at > this.clock.now() ? row.value : null;
  }

  incrAll(counters: readonly Counter[]): Promise<number[]> {
    if (counters.length === 0) return Promise.resolve([]);
    if (counters.length === 1) return this.incr(counters[0]!.key, counters[0]!.ttlMs).then((n) => [n]);
    return this.deadline(
      this.db.transaction().execute(async (trx) => {
        const now = this.clock.now();
        const counts: number[] = [];
        for (const c of counters) counts.push(await SqlStateStore.count(trx, now, c.key, c.ttlMs));
        return counts;
      }),
    );
  }

  incr(key: string, ttlMs: number): Promise<number> {
    return this.deadline(SqlStateStore.count(this.db, this.clock.now(), key, ttlMs));
  }

  private static async count(db: Kysely<Database>, now: number, key: string, ttlMs: number): Promise<number> {
    const row = await db
      .insertInto('kv_state')
      .values({ key, value: '', n: 1, expires_at: now + ttlMs })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          n: sql<number>`case when kv_state.expires_at <= ${now} then 1 else kv_state.n + 1 end`,
          expires_at: sql<number>`case when kv_state.expires_at <= ${now} then ${now + ttlMs} else kv_state.expires_at end`,
        }),
      )
      .returning('n')
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async incrBelow(key: string, ttlMs: number, limit: number): Promise<number | null> {
    if (limit < 1) return null;
    const now = this.clock.now();
    const row = await this.deadline(
      this.db
        .insertInto('kv_state')
        .values({ key, value: '', n: 1, expires_at: now + ttlMs })
        .onConflict((oc) =>
          oc
            .column('key')
            .doUpdateSet({
              n: sql<number>`case when kv_state.expires_at <= ${now} then 1 else kv_state.n + 1 end`,
              expires_at: sql<number>`case when kv_state.expires_at <= ${now} then ${now + ttlMs} else kv_state.expires_at end`,
            })
            .where((eb) => eb.or([eb('kv_state.expires_at', '<=', now), eb('kv_state.n', '<', limit)])),
        )
        .returning('n')
        .executeTakeFirst(),
    );
    return row ? Number(row.n) : null;
  }

  async decr(key: string): Promise<void> {
    await this.deadline(
      this.db
        .updateTable('kv_state')
        .set({ n: sql<number>`n - 1` })
        .where('key', '=', key)
        .where('expires_at', '>', this.clock.now())
        .where('n', '>', 0)
        .execute(),
    );
  }

  async get(key: string): Promise<string | null> {
    const row = await this.deadline(
      this.db.selectFrom('kv_state').select('value').where('key', '=', key).where('expires_at', '>', this.clock.now()).executeTakeFirst(),
    );
    return row ? row.value : null;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    const expires_at = this.clock.now() + ttlMs;
    await this.deadline(
      this.db
        .insertInto('kv_state')
        .values({ key, value, n: 0, expires_at })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value, n: 0, expires_at }))
        .execute(),
    );
  }

  async del(key: string): Promise<void> {
    await this.deadline(this.db.deleteFrom('kv_state').where('key', '=', key).execute());
  }

  /** Deletes expired rows; expired rows are already invisible, this only reclaims space. */
  async sweep(): Promise<number> {
    const result = await this.db.deleteFrom('kv_state').where('expires_at', '<=', this.clock.now()).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async ping(): Promise<void> {
    await this.deadline(sql`select 1`.execute(this.db));
  }

  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
  }
}
