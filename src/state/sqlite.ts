import type SQLite from 'better-sqlite3';
import { systemClock, type Clock } from '../core/clock.ts';
import type { Counter, StateStore } from './state.ts';

/** The ids a recording batch took in, each with the expiry it had before (to put back on rollback). */
type Undo = [id: string, before: number | undefined][];

interface Recording {
  id: string;
  ttlMs: number;
  counters: readonly Counter[];
  resolve(counts: number[] | null): void;
  reject(err: unknown): void;
}

/**
 * State in the embedded SQLite file, through prepared statements on the better-sqlite3 handle
 * (a prepared statement costs a fraction of a built query: ~14 µs against ~60 µs per write).
 * Keys live in `kv_state`, with the same statements and guarantees as SqlStateStore; SQLite
 * serialises writers, across processes too, so each statement is atomic.
 *
 * One-time ids (`recordOnce`, one per signed call) take a different path, because a keyed insert
 * of a random id rewrote a random B-tree page on every call and that page write was most of a
 * call's cost. Ids are appended to `once_log` in arrival order (the last page or two per commit),
 * and the index of the live ones is kept here in memory. Before it checks ids, a recording
 * transaction reads the log rows other processes appended since it last looked, under SQLite's
 * write lock, so an id is recorded once across every process sharing the file; a restarted
 * process reads the live part of the log back. Memory: one entry per id recorded in the last TTL
 * (150–250 bytes of resident memory each, measured; 90–150 MB for a sustained 1,000 signed
 * Opretail calls a second with the default 600 s window), which is where Redis (`REDIS_URL`)
 * takes over.
 */
export class SqliteStateStore implements StateStore {
  readonly backend = 'sql' as const;
  private readonly sweeper: NodeJS.Timeout | undefined;
  private readonly stmt;
  private readonly recordBatch: (batch: Recording[], undo: Undo) => (number[] | null)[];
  private pending: Recording[] = [];
  /**
   * Live one-time ids → expiry, in the order they were recorded. The expiry is in 10 ms ticks
   * since this store started, rounded up (an id is kept up to 10 ms longer, never shorter): a
   * small integer V8 keeps inline, where a millisecond time would be one more heap object per id.
   */
  private readonly onceIds = new Map<string, number>();
  private readonly onceBase: number;
  /** The last `once_log` row this process has seen (read or written). */
  private onceSeq = 0;

  constructor(
    db: SQLite.Database,
    private readonly clock: Clock = systemClock,
    sweepEveryMs = 60_000,
  ) {
    this.stmt = {
      putIfAbsent: db.prepare<[string, string, number, number], { key: string }>(
        `insert into kv_state (key, value, n, expires_at) values (?, ?, 0, ?)
         on conflict (key) do update set value = excluded.value, n = 0, expires_at = excluded.expires_at
         where kv_state.expires_at <= ? returning key`,
      ),
      take: db.prepare<[string], { value: string; expires_at: number }>(
        'delete from kv_state where key = ? returning value, expires_at',
      ),
      // The common case of a count: the window is live, only `n` changes. Leaving expires_at out
      // of the SET keeps its index page clean, one page fewer for the commit to write.
      bump: db.prepare<[number, string, number], { n: number }>('update kv_state set n = n + ? where key = ? and expires_at > ? returning n'),
      incrBy: db.prepare<[string, number, number, number, number], { n: number }>(
        `insert into kv_state (key, value, n, expires_at) values (?, '', ?, ?)
         on conflict (key) do update set
           n = case when kv_state.expires_at <= ? then excluded.n else kv_state.n + excluded.n end,
           expires_at = case when kv_state.expires_at <= ? then excluded.expires_at else kv_state.expires_at end
         returning n`,
      ),
      incrBelow: db.prepare<[string, number, number, number, number, number], { n: number }>(
        `insert into kv_state (key, value, n, expires_at) values (?, '', 1, ?)
         on conflict (key) do update set
           n = case when kv_state.expires_at <= ? then 1 else kv_state.n + 1 end,
           expires_at = case when kv_state.expires_at <= ? then excluded.expires_at else kv_state.expires_at end
         where kv_state.expires_at <= ? or kv_state.n < ?
         returning n`,
      ),
      decr: db.prepare<[string, number]>('update kv_state set n = n - 1 where key = ? and expires_at > ? and n > 0'),
      get: db.prepare<[string, number], { value: string }>('select value from kv_state where key = ? and expires_at > ?'),
      set: db.prepare<[string, string, number]>(
        `insert into kv_state (key, value, n, expires_at) values (?, ?, 0, ?)
         on conflict (key) do update set value = excluded.value, n = 0, expires_at = excluded.expires_at`,
      ),
      del: db.prepare<[string]>('delete from kv_state where key = ?'),
      sweep: db.prepare<[number]>('delete from kv_state where expires_at <= ?'),
      onceSince: db.prepare<[number], { seq: number; id: string; expires_at: number }>(
        'select seq, id, expires_at from once_log where seq > ? order by seq',
      ),
      onceAppend: db.prepare<[string, number]>('insert into once_log (id, expires_at) values (?, ?)'),
      // Rows are in recording order: everything before the oldest live row goes (a long-TTL row
      // holds back later short-TTL ones until it expires), and never the newest row (see 005).
      onceSweep: db.prepare<[number]>(
        `delete from once_log where seq < coalesce(
           (select seq from once_log where expires_at > ? order by seq limit 1),
           (select max(seq) from once_log))`,
      ),
      ping: db.prepare('select 1'),
    };
    const transaction = db.transaction((batch: Recording[], undo: Undo) => this.recordAll(batch, undo));
    // IMMEDIATE: the write lock is taken before the log is read, so no other process can append
    // between this process catching up and writing.
    this.recordBatch = transaction.immediate;
    this.onceBase = this.clock.now();
    this.followOnceLog(this.onceBase);
    if (sweepEveryMs > 0) {
      this.sweeper = setInterval(() => {
        try {
          this.sweep();
        } catch {
          /* busy: the next sweep will do it */
        }
      }, sweepEveryMs);
      this.sweeper.unref();
    }
  }

  /** Takes in the ids other processes appended to the log since this one last looked. */
  private followOnceLog(now: number): void {
    for (const row of this.stmt.onceSince.iterate(this.onceSeq)) {
      this.onceSeq = row.seq;
      if (row.expires_at > now) this.rememberOnce(row.id, this.expiryTick(row.expires_at));
    }
  }

  private expiryTick(ms: number): number {
    return Math.ceil((ms - this.onceBase) / 10);
  }

  /** An id whose expiry tick is later than this is live. */
  private nowTick(ms: number): number {
    return Math.floor((ms - this.onceBase) / 10);
  }

  private rememberOnce(id: string, expiryTick: number): void {
    // Re-inserted at the end, so the map stays in recording order and the oldest expire first.
    this.onceIds.delete(id);
    this.onceIds.set(id, expiryTick);
  }

  /** Forgets expired ids from the front of the map (ids of mixed TTLs at most delay this). */
  private forgetExpiredOnce(now: number): void {
    const tick = this.nowTick(now);
    for (const [id, expiryTick] of this.onceIds) {
      if (expiryTick > tick) break;
      this.onceIds.delete(id);
    }
  }

  /**
   * One transaction for every recording that reached the store in this turn of the event loop
   * (group commit: one commit serves them all). The recorded calls of a batch that count in one
   * window are counted with one statement: k hits take the counts n-k+1 … n in arrival order, as k
   * single increments would.
   */
  private recordAll(batch: Recording[], undo: Undo): (number[] | null)[] {
    const now = this.clock.now();
    this.followOnceLog(now);
    this.forgetExpiredOnce(now);
    const tick = this.nowTick(now);
    const windows = new Map<string, { ttlMs: number; slots: [counts: number[], index: number][] }>();
    const results = batch.map(({ id, ttlMs, counters }) => {
      const seen = this.onceIds.get(id);
      if (seen !== undefined && seen > tick) return null;
      const expiresAt = now + ttlMs;
      this.onceSeq = Number(this.stmt.onceAppend.run(id, expiresAt).lastInsertRowid);
      undo.push([id, seen]);
      this.rememberOnce(id, this.expiryTick(expiresAt));
      const counts: number[] = new Array(counters.length);
      counters.forEach((c, j) => {
        let window = windows.get(c.key);
        if (!window) windows.set(c.key, (window = { ttlMs: c.ttlMs, slots: [] }));
        window.slots.push([counts, j]);
      });
      return counts;
    });
    for (const [key, { ttlMs, slots }] of windows) {
      const last = this.count(now, key, slots.length, ttlMs);
      slots.forEach(([counts, j], k) => (counts[j] = last - slots.length + 1 + k));
    }
    return results;
  }

  /** Adds `by` to a live window, or starts the window at `by` (the upsert does both, atomically). */
  private count(now: number, key: string, by: number, ttlMs: number): number {
    const live = this.stmt.bump.get(by, key, now);
    return Number((live ?? this.stmt.incrBy.get(key, by, now + ttlMs, now, now)!).n);
  }

  recordOnce(id: string, ttlMs: number, counters: readonly Counter[]): Promise<number[] | null> {
    return new Promise((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(() => this.flushRecordings());
      this.pending.push({ id, ttlMs, counters, resolve, reject });
    });
  }

  private flushRecordings(): void {
    const batch = this.pending;
    this.pending = [];
    const seq = this.onceSeq;
    const undo: Undo = [];
    try {
      const results = this.recordBatch(batch, undo);
      batch.forEach((r, i) => r.resolve(results[i]!));
    } catch (err) {
      // Rolled back: forget what this batch remembered, so a retry is not taken for a replay (the
      // log rows of other processes read in the meantime are read again next time).
      this.onceSeq = seq;
      for (const [id, before] of undo.reverse()) {
        this.onceIds.delete(id);
        if (before !== undefined) this.onceIds.set(id, before);
      }
      for (const r of batch) r.reject(err);
    }
  }

  async putIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    const now = this.clock.now();
    return this.stmt.putIfAbsent.get(key, value, now + ttlMs, now) !== undefined;
  }

  async take(key: string): Promise<string | null> {
    const row = this.stmt.take.get(key);
    return row && row.expires_at > this.clock.now() ? row.value : null;
  }

  async incr(key: string, ttlMs: number): Promise<number> {
    const now = this.clock.now();
    return this.count(now, key, 1, ttlMs);
  }

  async incrBelow(key: string, ttlMs: number, limit: number): Promise<number | null> {
    if (limit < 1) return null;
    const now = this.clock.now();
    const row = this.stmt.incrBelow.get(key, now + ttlMs, now, now, now, limit);
    return row ? Number(row.n) : null;
  }

  async decr(key: string): Promise<void> {
    this.stmt.decr.run(key, this.clock.now());
  }

  async get(key: string): Promise<string | null> {
    return this.stmt.get.get(key, this.clock.now())?.value ?? null;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.stmt.set.run(key, value, this.clock.now() + ttlMs);
  }

  async del(key: string): Promise<void> {
    this.stmt.del.run(key);
  }

  /** Deletes expired keys and one-time ids; returns how many. */
  sweep(): number {
    const now = this.clock.now();
    this.forgetExpiredOnce(now);
    return this.stmt.sweep.run(now).changes + this.stmt.onceSweep.run(now).changes;
  }

  async ping(): Promise<void> {
    this.stmt.ping.get();
  }

  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
  }
}
