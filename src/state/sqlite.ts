import type SQLite from 'better-sqlite3';
import { systemClock, type Clock } from '../kernel/clock.ts';
import type { SharedThread } from '../kernel/worker.ts';
import type { Counter, StateStore } from './state.ts';
import { OnceLog, type Recorded, type Recording } from './onceLog.ts';
import { OnceLogThread } from './onceLogThread.ts';

/** A recording waiting for its turn's group commit. */
interface Pending extends Recording {
  resolve(counts: Recorded): void;
  reject(err: unknown): void;
}

/**
 * State in the embedded SQLite file, through prepared statements on the better-sqlite3 handle
 * (a prepared statement costs a fraction of a built query: ~14 µs against ~60 µs per write).
 * Keys live in `kv_state`, with the same statements and guarantees as SqlStateStore; SQLite
 * serialises writers, across processes too, so each statement is atomic.
 *
 * One-time ids (`recordOnce`, one per signed call) and the counts recorded with them go through
 * `OnceLog`: an append-only log of ids and an in-memory index of the live ones (48–95 bytes an id;
 * 40–60 MB for a sustained 1,000 signed Opretail calls a second with the default 600 s window;
 * well past that, Redis (`REDIS_URL`) takes over). The recordings and counts of one turn of the
 * event loop are one transaction (group commit). With `onThread`, that transaction runs on a
 * background thread (`OnceLogThread`); should the thread die, on this connection from then on.
 * Expired rows are swept every minute in slices of a few milliseconds each.
 */
export class SqliteStateStore implements StateStore {
  readonly backend = 'sql' as const;
  private readonly sweeper: NodeJS.Timeout | undefined;
  private readonly stmt;
  private pending: Pending[] = [];
  /** A batch is with the thread: what arrives meanwhile waits for its answer, then goes as one. */
  private inFlight = false;
  /** Turn the connection's busy handler off and back on (see `withoutWaiting`). */
  private readonly busyHandler: { off: SQLite.Statement; on: SQLite.Statement };
  private sweeping = false;
  private readonly thread: OnceLogThread | undefined;
  /** This connection's log: made when first needed (no thread, or the thread died). */
  private local: OnceLog | undefined;

  /**
   * @param onThread record one-time ids on a thread, with its own connection to the same file (on
   *   the wall clock, whatever `clock` is): the thread given, or with `true` one of their own;
   *   ignored for an in-memory database.
   */
  constructor(
    private readonly db: SQLite.Database,
    private readonly clock: Clock = systemClock,
    sweepEveryMs = 60_000,
    onThread: boolean | SharedThread = false,
  ) {
    this.stmt = {
      putIfAbsent: db.prepare<[string, string, number, number], { key: string }>(
        `insert into kv_state (key, value, n, expires_at) values (?, ?, 0, ?)
         on conflict (key) do update set value = excluded.value, n = 0, expires_at = excluded.expires_at
         where kv_state.expires_at <= ? returning key`,
      ),
      take: db.prepare<[string], { value: string; expires_at: number }>('delete from kv_state where key = ? returning value, expires_at'),
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
    if (onThread && !db.memory) {
      this.thread = new OnceLogThread(
        {
          path: db.name,
          synchronous: Number(db.pragma('synchronous', { simple: true })),
          busyTimeoutMs: timeoutMs,
          forgetEveryMs: sweepEveryMs,
        },
        onThread === true ? undefined : onThread,
      );
    } else {
      this.local = new OnceLog(db, clock);
    }
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

  /** The log on this connection, made on first use (it reads the live part of the log back). */
  private localLog(): OnceLog {
    this.local ??= new OnceLog(this.db, this.clock);
    return this.local;
  }

  recordOnce(id: string, ttlMs: number, counters: readonly Counter[]): Promise<number[] | null> {
    return this.enqueue(id, ttlMs, counters);
  }

  private enqueue(id: string | null, ttlMs: number, counters: readonly Counter[]): Promise<Recorded> {
    return new Promise((resolve, reject) => {
      if (this.pending.length === 0 && !this.inFlight) setImmediate(() => this.flushRecordings());
      this.pending.push({ id, ttlMs, counters, resolve, reject });
    });
  }

  /**
   * One transaction for every recording and count waiting: those of this turn of the event loop,
   * or, on the thread, all that arrived while the previous batch was with it.
   */
  private flushRecordings(): void {
    if (this.inFlight) return;
    const batch = this.pending;
    this.pending = [];
    if (this.thread && !this.thread.failure) {
      // One batch at a time: the next one takes in every recording that arrived while this one
      // was with the thread, so a message's fixed cost is shared by more calls under load.
      this.inFlight = true;
      this.thread
        .record(batch)
        .then(
          (results) => settle(batch, results),
          (err: unknown) => {
            for (const r of batch) r.reject(err);
          },
        )
        .finally(() => {
          this.inFlight = false;
          if (this.pending.length > 0) this.flushRecordings();
        });
      return;
    }
    let results: Recorded[];
    try {
      // With SQLite's busy handler: when another connection holds the write lock, this sleeps (a
      // stall of the event loop; see bench/RESULTS.md for why it stays: trying again later off the
      // loop measured no better).
      results = this.localLog().record(batch);
    } catch (err) {
      for (const r of batch) r.reject(err);
      return;
    }
    settle(batch, results);
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
    this.local?.forgetExpired();
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
        // The memory index forgets as calls are recorded; after a quiet spell, here, in slices too
        // (on its thread, the thread does).
        const forgotten = this.local?.forgetExpired(SWEEP_SLICE * 10) ?? 0;
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
    return this.local?.index() ?? this.thread!.index();
  }

  async ping(): Promise<void> {
    this.stmt.ping.get();
  }

  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    await this.thread?.close();
  }
}

function settle(batch: readonly Pending[], results: readonly Recorded[]): void {
  batch.forEach((r, i) => {
    r.resolve(results[i]!);
  });
}

/** Rows one sweep slice deletes: a few milliseconds of the request thread. */
const SWEEP_SLICE = 2000;
