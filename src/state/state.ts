/**
 * Short-lived state: replay records, rate-limit windows, one-time codes, cached upstream tokens,
 * locks. Every operation is atomic on its own, in one process or many sharing a backend, which is
 * what makes "once" and "at most N" hold across kaifang processes.
 *
 * TTLs run on the wall clock (as Redis does), not on the injectable application clock.
 */
/** A counter window for `recordOnce`: the key and, when it starts a window, its TTL. */
export interface Counter {
  key: string;
  ttlMs: number;
}

export interface StateStore {
  readonly backend: 'sql' | 'redis';
  /** Stores `value` unless the key holds an unexpired value; true when this call stored it. */
  putIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** Returns the unexpired value and deletes it, in one step: at most one caller gets it. */
  take(key: string): Promise<string | null>;
  /**
   * Adds one to a counter and returns the new count. The first increment of a window (a missing or
   * expired key) starts it at 1 with `ttlMs` to live; later ones keep that expiry.
   */
  incr(key: string, ttlMs: number): Promise<number>;
  /**
   * `incr` that refuses to pass `limit`: counts and returns the new count only while the window's
   * count is below `limit`, else changes nothing and returns null. Check and count are one atomic
   * step, so N concurrent callers against a limit L get exactly min(N, L) counts.
   */
  incrBelow(key: string, ttlMs: number, limit: number): Promise<number | null>;
  /**
   * `incr` of every counter in one atomic step (and, on every backend, one write or round trip);
   * returns the counts in the order given. A call counted in several windows pays for one.
   */
  incrAll(counters: readonly Counter[]): Promise<number[]>;
  /** Gives one count back to an unexpired counter (never below 0); for a slot taken but not used. */
  decr(key: string): Promise<void>;
  /**
   * Records the one-time `id` for `ttlMs` unless it is already recorded and unexpired, and, only
   * when it recorded it, `incr`s every counter — all in one atomic step. Returns the counts, or
   * null when the id was already recorded and nothing was counted. This is how a signed call is
   * recorded against replay and counted against its rate limits at the cost of one write.
   * Ids are their own namespace: only `recordOnce` reads them (the embedded store keeps them apart
   * from the other keys), so `get`, `take` and `del` do not see them.
   */
  recordOnce(id: string, ttlMs: number, counters: readonly Counter[]): Promise<number[] | null>;
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  del(key: string): Promise<void>;
  /**
   * The embedded store's in-memory index of live one-time ids (`recordOnce`): how many, and its
   * bytes, for the metrics. Absent on Redis, which keeps the ids itself.
   */
  replayIndex?(): { ids: number; bytes: number };
  /** Throws when the backend cannot be reached; for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The state backend did not answer within its deadline (KAIFANG_STATE_TIMEOUT_MS) or cannot be
 * reached: the operation failed without waiting for it. Not a domain error: each front answers it
 * as the unexpected failure of its shape, at once, rather than holding the caller for seconds.
 */
export class StateUnavailable extends Error {
  override readonly name = 'StateUnavailable';
}

/**
 * `op`'s outcome, or StateUnavailable (`what` names the backend) when it has none within `ms`.
 * The operation itself is not cancelled; its late outcome is ignored.
 */
export function withDeadline<T>(op: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new StateUnavailable(`${what} did not answer within ${ms} ms (KAIFANG_STATE_TIMEOUT_MS)`)), ms);
    op.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
