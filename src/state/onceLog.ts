import type SQLite from 'better-sqlite3';
import { systemClock, type Clock } from '../kernel/clock.ts';
import type { Counter } from './state.ts';
import { OnceIndex } from './onceIndex.ts';

/** A one-time id and the windows it counts in; a plain count (`incr`) has no id. */
export interface Recording {
  id: string | null;
  ttlMs: number;
  counters: readonly Counter[];
}

/** What a recording came to: its counts in its counters' order, or null for a replayed id. */
export type Recorded = number[] | null;

/** The ids a recording batch took in, each with the expiry it had before (to put back on rollback). */
type Undo = [id: string, before: number | undefined][];

/**
 * The embedded store's one-time ids and the counts recorded with them, on one SQLite connection.
 *
 * A keyed insert of a random id rewrote a random B-tree page on every call, and that page write
 * was most of a call's cost. So ids are appended to `once_log` in arrival order (the last page or
 * two per commit), and the index of the live ones is kept in memory. Before it checks ids, a
 * recording transaction reads the log rows other connections appended since it last looked, under
 * SQLite's write lock, so an id is recorded once across every process sharing the file; a new
 * connection reads the live part of the log back. Memory: one entry per id recorded in the last
 * TTL, 48–95 bytes in typed arrays (`OnceIndex`).
 *
 * It runs where its owner puts it: on the request thread (`SqliteStateStore` alone), or on a
 * background thread (`OnceLogThread`).
 */
export class OnceLog {
  private readonly stmt;
  private readonly recordBatch: (batch: readonly Recording[], undo: Undo) => Recorded[];
  /**
   * Live one-time ids → expiry, in the order they were recorded. The expiry is in 10 ms ticks
   * since this log started, rounded up (an id is kept up to 10 ms longer, never shorter).
   */
  private readonly ids = new OnceIndex();
  private readonly base: number;
  /** The last `once_log` row this connection has seen (read or written). */
  private seq = 0;

  constructor(
    db: SQLite.Database,
    private readonly clock: Clock = systemClock,
  ) {
    this.stmt = {
      since: db.prepare<[number], { seq: number; id: string; expires_at: number }>(
        'select seq, id, expires_at from once_log where seq > ? order by seq',
      ),
      append: db.prepare<[string, number]>('insert into once_log (id, expires_at) values (?, ?)'),
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
    };
    const transaction = db.transaction((batch: readonly Recording[], undo: Undo) => this.recordAll(batch, undo));
    // IMMEDIATE: the write lock is taken before the log is read, so no other connection can append
    // between this one catching up and writing.
    this.recordBatch = transaction.immediate;
    this.base = this.clock.now();
    this.follow(this.base);
  }

  /**
   * Records a batch in one transaction (group commit: one commit serves them all). Throws, with
   * nothing recorded, when the transaction fails.
   */
  record(batch: readonly Recording[]): Recorded[] {
    const seq = this.seq;
    const undo: Undo = [];
    try {
      return this.recordBatch(batch, undo);
    } catch (err) {
      // Rolled back: forget what this batch remembered, so a retry is not taken for a replay (the
      // log rows of other connections read in the meantime are read again next time).
      this.seq = seq;
      for (const [id, before] of undo.reverse()) this.ids.restore(id, before);
      throw err;
    }
  }

  /** Forgets expired ids in recording order (ids of mixed TTLs at most delay this), at most `max`; returns how many. */
  forgetExpired(max = Infinity): number {
    return this.ids.forgetUpTo(this.nowTick(this.clock.now()), max);
  }

  /** The index's size, for the metrics. */
  index(): { ids: number; bytes: number } {
    return { ids: this.ids.size, bytes: this.ids.bytes };
  }

  /** Takes in the ids other connections appended to the log since this one last looked. */
  private follow(now: number): void {
    for (const row of this.stmt.since.iterate(this.seq)) {
      this.seq = row.seq;
      if (row.expires_at > now) this.ids.set(row.id, this.expiryTick(row.expires_at));
    }
  }

  /** At least 1: the index keeps 0 for an empty slot. */
  private expiryTick(ms: number): number {
    return Math.max(1, Math.ceil((ms - this.base) / 10));
  }

  /** An id whose expiry tick is later than this is live. */
  private nowTick(ms: number): number {
    return Math.floor((ms - this.base) / 10);
  }

  /**
   * The recorded calls of a batch that count in one window are counted with one statement: k hits
   * take the counts n-k+1 … n in arrival order, as k single increments would.
   */
  private recordAll(batch: readonly Recording[], undo: Undo): Recorded[] {
    const now = this.clock.now();
    this.follow(now);
    this.ids.forgetUpTo(this.nowTick(now));
    const tick = this.nowTick(now);
    const windows = new Map<string, { ttlMs: number; slots: [counts: number[], index: number][] }>();
    const results = batch.map(({ id, ttlMs, counters }) => {
      if (id !== null) {
        const seen = this.ids.get(id);
        if (seen !== undefined && seen > tick) return null;
        const expiresAt = now + ttlMs;
        this.seq = Number(this.stmt.append.run(id, expiresAt).lastInsertRowid);
        undo.push([id, seen]);
        this.ids.set(id, this.expiryTick(expiresAt));
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
}
