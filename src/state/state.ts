/**
 * Short-lived state: replay records, rate-limit windows, one-time codes, cached upstream tokens,
 * locks. Every operation is atomic on its own, in one process or many sharing a backend, which is
 * what makes "once" and "at most N" hold across kaifang processes.
 *
 * TTLs run on the wall clock (as Redis does), not on the injectable application clock.
 */
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
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  del(key: string): Promise<void>;
  /** Throws when the backend cannot be reached; for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
