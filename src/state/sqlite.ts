import type SQLite from 'better-sqlite3';
import { systemClock, type Clock } from '../kernel/clock.ts';
import type { Counter, StateStore } from './state.ts';
import { OnceIndex } from './onceIndex.ts';

/** The ids a recording batch took in, each with the expiry it had before (to put back on rollback). */
type Undo = [id: string, before: number | undefined][];

/** A one-time id and the windows it counts in; a plain count (`incr`) has no id. */
interface Recording {
  id: string | null;
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
 * process reads the live part of the log back. Memory: one entry per id recorded in the last TTL,
 * 48–95 bytes in typed arrays (`OnceIndex`; 40–60 MB for a sustained 1,000 signed Opretail
 * calls a second with the default 600 s window); well past that, Redis (`REDIS_URL`) takes over.
 * Expired rows are swept from the log every minute in slices of a few milliseconds each.
 */
export class SqliteStateStore implements StateStore {
  readonly backend = 'sql' as const;
  private readonly sweeper: NodeJS.Timeout | undefined;
  private readonly stmt;
  private readonly recordBatch: (batch: Recording[], undo: Undo) => (number[] | null)[];
  private pending: Recording[] = [];
  /** Turn the connection's busy handler off and back on (see `withoutWaiting`). */
  private readonly busyHandler: { off: SQLite.Statement; on: SQLite.Statement };
  private sweeping = false;
  /**
   * Live one-time ids → expiry, in the order they were recorded. The expiry is in 10 ms ticks
   * since this store started, rounded up (an id is kept up to 10 ms longer, never shorter).
   */
  private readonly onceIds = new OnceIndex();
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
      take: db.prepare<[string], { value: string; expires_at: number }>('delete from kv_state where key = ? returning value, expires_at'),
      // The common case of a count: the window is live, only `n` changes. Leaving expires_at out
      // of the SET keeps its index page clean, one page fewer for the commit to write.
      bump: db.prepare<[number, string, number], { n: number }>(
        'update kv_state set n = n + ? where key = ? and expires_at > ? returning n',
      ),
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
      sweepSome: db.prepare<[number, number]>('delete from kv_state where key in (select key from kv_state where expires_at <= ? limit ?)'),
      onceOldest: db.prepare<[number], { seq: number; expires_at: number }>('select seq, expires_at from once_log order by seq limit ?'),
      onceNewest: db.prepare<[], { seq: number | null }>('select max(seq) as seq from once_log'),
      onceDeleteBefore: db.prepare<[number]>('delete from once_log where seq < ?'),
      ping: db.prepare('select 1'),
    };
    const timeoutMs = Number(db.pragma('busy_timeout', { simple: true })) || 0;
    this.busyHandler = { off: db.prepare('pragma busy_timeout = 0'), on: db.prepare(`pragma busy_timeout = ${timeoutMs}`) };
    const transaction = db.transaction((batch: Recording[], undo: Undo) => this.recordAll(batch, undo));
    // IMMEDIATE: the write lock is taken before the log is read, so no other process can append
    // between this process catching up and writing.
    this.recordBatch = transaction.immediate;
    this.onceBase = this.clock.now();
    this.followOnceLog(this.onceBase);
    if (sweepEveryMs > 0) {
      this.sweeper = setInterval(() => this.sweepInSlices(), sweepEveryMs);
      this.sweeper.unref();
    }
  }

  /**
   * Runs `fn` with the connection's busy handler off: SQLite's handler *sleeps* while another
   * connection holds the write lock (1, 2, 5, 10, 15 ms… up to busy_timeout), and on the request
   * thread a sleep is a stall of the whole event loop. A sweep slice that finds the lock taken
   * throws SQLITE_BUSY at once and leaves the rest to the next sweep.
   */
  private withoutWaiting<T>(fn: () => T): T {
    this.busyHandler.off.get();
    try {
      return fn();
    } finally {
      this.busyHandler.on.get();
    }
  }

  /** Takes in the ids other processes appended to the log since this one last looked. */
  private followOnceLog(now: number): void {
    for (const row of this.stmt.onceSince.iterate(this.onceSeq)) {
      this.onceSeq = row.seq;
      if (row.expires_at > now) this.rememberOnce(row.id, this.expiryTick(row.expires_at));
    }
  }

  /** At least 1: the index keeps 0 for an empty slot. */
  private expiryTick(ms: number): number {
    return Math.max(1, Math.ceil((ms - this.onceBase) / 10));
  }

  /** An id whose expiry tick is later than this is live. */
  private nowTick(ms: number): number {
    return Math.floor((ms - this.onceBase) / 10);
  }

  private rememberOnce(id: string, expiryTick: number): void {
    this.onceIds.set(id, expiryTick);
  }

  /** Forgets expired ids in recording order (ids of mixed TTLs at most delay this), at most `max`; returns how many. */
  private forgetExpiredOnce(now: number, max = Infinity): number {
    return this.onceIds.forgetUpTo(this.nowTick(now), max);
  }

  /**
   * One transaction for every recording and count that reached the store in this turn of the event loop
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
      if (id !== null) {
        const seen = this.onceIds.get(id);
        if (seen !== undefined && seen > tick) return null;
        const expiresAt = now + ttlMs;
        this.onceSeq = Number(this.stmt.onceAppend.run(id, expiresAt).lastInsertRowid);
        undo.push([id, seen]);
        this.rememberOnce(id, this.expiryTick(expiresAt));
      }
      const counts: number[] = new Array(counters.length);
      counters.forEach((c, j) => {
        let window = windows.get(c.key);
        if (!window) {
          window = { ttlMs: c.ttlMs, slots: [] };
          windows.set(c.key, window);
        }
        window.slots.push([counts, j]);
      });
      return counts;
    });
    for (const [key, { ttlMs, slots }] of windows) {
      const last = this.count(now, key, slots.length, ttlMs);
      slots.forEach(([counts, j], k) => {
        counts[j] = last - slots.length + 1 + k;
      });
    }
    return results;
  }

  /** Adds `by` to a live window, or starts the window at `by` (the upsert does both, atomically). */
  private count(now: number, key: string, by: number, ttlMs: number): number {
    const live = this.stmt.bump.get(by, key, now);
    return Number((live ?? this.stmt.incrBy.get(key, by, now + ttlMs, now, now)!).n);
  }

  recordOnce(id: string, ttlMs: number, counters: readonly Counter[]): Promise<number[] | null> {
    return this.enqueue(id, ttlMs, counters);
  }

  private enqueue(id: string | null, ttlMs: number, counters: readonly Counter[]): Promise<number[] | null> {
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
      // With SQLite's busy handler: when another connection holds the write lock, this sleeps (a
      // stall of the event loop; see bench/RESULTS.md for why it stays: trying again later off the
      // loop measured no better).
      const results = this.recordBatch(batch, undo);
      batch.forEach((r, i) => {
        r.resolve(results[i]!);
      });
    } catch (err) {
      // Rolled back: forget what this batch remembered, so a retry is not taken for a replay (the
      // log rows of other processes read in the meantime are read again next time).
      this.onceSeq = seq;
      for (const [id, before] of undo.reverse()) this.onceIds.restore(id, before);
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

  /**
   * Joins the recordings' group commit: a count is a write, and a write of its own was a commit of
   * its own (~50 µs each, and a wait on the lock whenever the writer thread held it).
   */
  async incr(key: string, ttlMs: number): Promise<number> {
    const counts = await this.enqueue(null, 0, [{ key, ttlMs }]);
    return counts![0]!;
  }

  async incrAll(counters: readonly Counter[]): Promise<number[]> {
    if (counters.length === 0) return [];
    return (await this.enqueue(null, 0, counters))!;
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

  /**
   * Deletes up to `limit` expired rows (kv_state first, then the front of once_log); returns how
   * many. The log goes from its front up to the oldest live row (a long-TTL row holds back later
   * short-TTL ones until it expires), never its newest row (see 005).
   */
  private sweepSome(now: number, limit: number): number {
    const kv = this.stmt.sweepSome.run(now, limit).changes;
    if (kv >= limit) return kv;
    const rows = this.stmt.onceOldest.all(limit - kv);
    if (rows.length === 0) return kv;
    const newest = this.stmt.onceNewest.get()!.seq ?? 0;
    let cut = rows.length;
    for (let i = 0; i < rows.length; i++) {
      if (rows[i]!.expires_at > now) {
        cut = i;
        break;
      }
    }
    // Everything before the first live row of this slice, or the whole slice, but never the newest.
    const before = Math.min(cut < rows.length ? rows[cut]!.seq : rows[rows.length - 1]!.seq + 1, newest);
    return kv + this.stmt.onceDeleteBefore.run(before).changes;
  }

  /** Deletes expired keys and one-time ids, all at once; returns how many. */
  sweep(): number {
    const now = this.clock.now();
    this.forgetExpiredOnce(now);
    let total = 0;
    for (;;) {
      const n = this.sweepSome(now, SWEEP_SLICE);
      total += n;
      if (n < SWEEP_SLICE) return total;
    }
  }

  /**
   * The periodic sweep, in slices of SWEEP_SLICE rows with the event loop free between them: at
   * 10,000 signed calls a second a minute's expired ids are 600,000 log rows, and one DELETE of
   * them held the request thread for about a second (300,000 rows: 480 ms, measured). A slice that
   * finds the write lock taken stops this sweep; the next one carries on.
   */
  private sweepInSlices(): void {
    if (this.sweeping) return;
    this.sweeping = true;
    const now = this.clock.now();
    const step = () => {
      let more = false;
      try {
        // The memory index forgets as calls are recorded; after a quiet spell, here, in slices too.
        const forgotten = this.forgetExpiredOnce(this.clock.now(), SWEEP_SLICE * 10);
        const deleted = this.withoutWaiting(() => this.sweepSome(now, SWEEP_SLICE));
        more = forgotten === SWEEP_SLICE * 10 || deleted >= SWEEP_SLICE;
      } catch {
        /* busy (or closing): the next sweep does it */
      }
      if (more) setImmediate(step);
      else this.sweeping = false;
    };
    step();
  }

  replayIndex(): { ids: number; bytes: number } {
    return { ids: this.onceIds.size, bytes: this.onceIds.bytes };
  }

  async ping(): Promise<void> {
    this.stmt.ping.get();
  }

  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
  }
}

/** Rows one sweep slice deletes: a few milliseconds of the request thread. */
const SWEEP_SLICE = 2000;
