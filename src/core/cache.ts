import { LRUCache } from 'lru-cache';

/** A cache's entry: `value` undefined means cached as not found. */
export interface Cached<V> {
  readonly value: V | undefined;
}

/** The entry a hot path's probe gives for what cannot exist (an id of the wrong shape, no token, …). */
export const KNOWN_ABSENT: Cached<never> = { value: undefined };

/**
 * A bounded, short-lived per-process cache for hot-path lookups (credentials, routes). The TTL is
 * the documented bound on how long a change made elsewhere (another process, the CLI) takes to be
 * seen. `undefined` results (not found) are cached too, as a miss marker, so a flood of unknown
 * keys does not reach the database for each request.
 */
export class TtlCache<V extends {}> {
  private readonly lru: LRUCache<string, { value: V | undefined }> | undefined;

  constructor(max: number, ttlMs: number) {
    // Bounded by `maxSize` with every entry of size 1 rather than by `max`: the same bound, but
    // lru-cache allocates its arrays as entries arrive instead of all `max` slots up front (with
    // the default 10,000, ~310 KB for each of the fifteen caches, most of which hold a few keys).
    this.lru = max > 0 && ttlMs > 0 ? new LRUCache({ maxSize: max, sizeCalculation: () => 1, ttl: ttlMs, ttlAutopurge: false }) : undefined;
  }

  /**
   * The cached entry (`value` undefined: cached as not found), or undefined when there is none: for
   * a hot path that awaits only on a miss. An await costs a promise and a turn of the microtask
   * queue even when the value is already here.
   */
  peek(key: string): Cached<V> | undefined {
    return this.lru?.get(key);
  }

  async get(key: string, load: () => Promise<V | undefined>): Promise<V | undefined> {
    const hit = this.lru?.get(key);
    if (hit) return hit.value;
    const value = await load();
    this.lru?.set(key, { value });
    return value;
  }

  delete(key: string): void {
    this.lru?.delete(key);
  }

  clear(): void {
    this.lru?.clear();
  }
}
