import { LRUCache } from 'lru-cache';
/**
 * A bounded, short-lived per-process cache for hot-path lookups (credentials, routes). The TTL is
 * the documented bound on how long a change made elsewhere (another process, the CLI) takes to be
 * seen. `undefined` results (not found) are cached too, as a miss marker, so a flood of unknown
 * keys does not reach the database for each request.
 */
export class TtlCache {
    lru;
    constructor(max, ttlMs) {
        this.lru = max > 0 && ttlMs > 0 ? new LRUCache({ max, ttl: ttlMs, ttlAutopurge: false }) : undefined;
    }
    async get(key, load) {
        const hit = this.lru?.get(key);
        if (hit)
            return hit.value;
        const value = await load();
        this.lru?.set(key, { value });
        return value;
    }
    delete(key) {
        this.lru?.delete(key);
    }
    clear() {
        this.lru?.clear();
    }
}
