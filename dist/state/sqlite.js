import { systemClock } from '../core/clock.js';
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
export class SqliteStateStore {
    clock;
    backend = 'sql';
    sweeper;
    stmt;
    recordBatch;
    pending = [];
    /**
     * Live one-time ids → expiry, in the order they were recorded. The expiry is in 10 ms ticks
     * since this store started, rounded up (an id is kept up to 10 ms longer, never shorter): a
     * small integer V8 keeps inline, where a millisecond time would be one more heap object per id.
     */
    onceIds = new Map();
    onceBase;
    /** The last `once_log` row this process has seen (read or written). */
    onceSeq = 0;
    constructor(db, clock = systemClock, sweepEveryMs = 60_000) {
        this.clock = clock;
        this.stmt = {
            putIfAbsent: db.prepare(`insert into kv_state (key, value, n, expires_at) values (?, ?, 0, ?)
         on conflict (key) do update set value = excluded.value, n = 0, expires_at = excluded.expires_at
         where kv_state.expires_at <= ? returning key`),
            take: db.prepare('delete from kv_state where key = ? returning value, expires_at'),
            // The common case of a count: the window is live, only `n` changes. Leaving expires_at out
            // of the SET keeps its index page clean, one page fewer for the commit to write.
            bump: db.prepare('update kv_state set n = n + ? where key = ? and expires_at > ? returning n'),
            incrBy: db.prepare(`insert into kv_state (key, value, n, expires_at) values (?, '', ?, ?)
         on conflict (key) do update set
           n = case when kv_state.expires_at <= ? then excluded.n else kv_state.n + excluded.n end,
           expires_at = case when kv_state.expires_at <= ? then excluded.expires_at else kv_state.expires_at end
         returning n`),
            incrBelow: db.prepare(`insert into kv_state (key, value, n, expires_at) values (?, '', 1, ?)
         on conflict (key) do update set
           n = case when kv_state.expires_at <= ? then 1 else kv_state.n + 1 end,
           expires_at = case when kv_state.expires_at <= ? then excluded.expires_at else kv_state.expires_at end
         where kv_state.expires_at <= ? or kv_state.n < ?
         returning n`),
            decr: db.prepare('update kv_state set n = n - 1 where key = ? and expires_at > ? and n > 0'),
            get: db.prepare('select value from kv_state where key = ? and expires_at > ?'),
            set: db.prepare(`insert into kv_state (key, value, n, expires_at) values (?, ?, 0, ?)
         on conflict (key) do update set value = excluded.value, n = 0, expires_at = excluded.expires_at`),
            del: db.prepare('delete from kv_state where key = ?'),
            sweep: db.prepare('delete from kv_state where expires_at <= ?'),
            onceSince: db.prepare('select seq, id, expires_at from once_log where seq > ? order by seq'),
            onceAppend: db.prepare('insert into once_log (id, expires_at) values (?, ?)'),
            // Rows are in recording order: everything before the oldest live row goes (a long-TTL row
            // holds back later short-TTL ones until it expires), and never the newest row (see 005).
            onceSweep: db.prepare(`delete from once_log where seq < coalesce(
           (select seq from once_log where expires_at > ? order by seq limit 1),
           (select max(seq) from once_log))`),
            ping: db.prepare('select 1'),
        };
        const transaction = db.transaction((batch) => this.recordAll(batch));
        // IMMEDIATE: the write lock is taken before the log is read, so no other process can append
        // between this process catching up and writing.
        this.recordBatch = transaction.immediate;
        this.onceBase = this.clock.now();
        this.followOnceLog(this.onceBase);
        if (sweepEveryMs > 0) {
            this.sweeper = setInterval(() => {
                try {
                    this.sweep();
                }
                catch {
                    /* busy: the next sweep will do it */
                }
            }, sweepEveryMs);
            this.sweeper.unref();
        }
    }
    /** Takes in the ids other processes appended to the log since this one last looked. */
    followOnceLog(now) {
        for (const row of this.stmt.onceSince.iterate(this.onceSeq)) {
            this.onceSeq = row.seq;
            if (row.expires_at > now)
                this.rememberOnce(row.id, this.expiryTick(row.expires_at));
        }
    }
    expiryTick(ms) {
        return Math.ceil((ms - this.onceBase) / 10);
    }
    /** An id whose expiry tick is later than this is live. */
    nowTick(ms) {
        return Math.floor((ms - this.onceBase) / 10);
    }
    rememberOnce(id, expiryTick) {
        // Re-inserted at the end, so the map stays in recording order and the oldest expire first.
        this.onceIds.delete(id);
        this.onceIds.set(id, expiryTick);
    }
    /** Forgets expired ids from the front of the map (ids of mixed TTLs at most delay this). */
    forgetExpiredOnce(now) {
        const tick = this.nowTick(now);
        for (const [id, expiryTick] of this.onceIds) {
            if (expiryTick > tick)
                break;
            this.onceIds.delete(id);
        }
    }
    /**
     * One transaction for every recording that reached the store in this turn of the event loop
     * (group commit: one commit serves them all). The recorded calls of a batch that count in one
     * window are counted with one statement: k hits take the counts n-k+1 … n in arrival order, as k
     * single increments would.
     */
    recordAll(batch) {
        const now = this.clock.now();
        this.followOnceLog(now);
        this.forgetExpiredOnce(now);
        const tick = this.nowTick(now);
        const windows = new Map();
        const results = batch.map(({ id, ttlMs, counters }) => {
            const seen = this.onceIds.get(id);
            if (seen !== undefined && seen > tick)
                return null;
            const expiresAt = now + ttlMs;
            this.onceSeq = Number(this.stmt.onceAppend.run(id, expiresAt).lastInsertRowid);
            this.rememberOnce(id, this.expiryTick(expiresAt));
            const counts = new Array(counters.length);
            counters.forEach((c, j) => {
                let window = windows.get(c.key);
                if (!window)
                    windows.set(c.key, (window = { ttlMs: c.ttlMs, slots: [] }));
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
    count(now, key, by, ttlMs) {
        const live = this.stmt.bump.get(by, key, now);
        return Number((live ?? this.stmt.incrBy.get(key, by, now + ttlMs, now, now)).n);
    }
    recordOnce(id, ttlMs, counters) {
        return new Promise((resolve, reject) => {
            if (this.pending.length === 0)
                setImmediate(() => this.flushRecordings());
            this.pending.push({ id, ttlMs, counters, resolve, reject });
        });
    }
    flushRecordings() {
        const batch = this.pending;
        this.pending = [];
        const seq = this.onceSeq;
        const ids = new Map(batch.map((r) => [r.id, this.onceIds.get(r.id)]));
        try {
            const results = this.recordBatch(batch);
            batch.forEach((r, i) => r.resolve(results[i]));
        }
        catch (err) {
            // Rolled back: forget what this batch remembered, so a retry is not taken for a replay.
            this.onceSeq = seq;
            for (const [id, before] of ids) {
                this.onceIds.delete(id);
                if (before !== undefined)
                    this.onceIds.set(id, before);
            }
            for (const r of batch)
                r.reject(err);
        }
    }
    async putIfAbsent(key, value, ttlMs) {
        const now = this.clock.now();
        return this.stmt.putIfAbsent.get(key, value, now + ttlMs, now) !== undefined;
    }
    async take(key) {
        const row = this.stmt.take.get(key);
        return row && row.expires_at > this.clock.now() ? row.value : null;
    }
    async incr(key, ttlMs) {
        const now = this.clock.now();
        return this.count(now, key, 1, ttlMs);
    }
    async incrBelow(key, ttlMs, limit) {
        if (limit < 1)
            return null;
        const now = this.clock.now();
        const row = this.stmt.incrBelow.get(key, now + ttlMs, now, now, now, limit);
        return row ? Number(row.n) : null;
    }
    async decr(key) {
        this.stmt.decr.run(key, this.clock.now());
    }
    async get(key) {
        return this.stmt.get.get(key, this.clock.now())?.value ?? null;
    }
    async set(key, value, ttlMs) {
        this.stmt.set.run(key, value, this.clock.now() + ttlMs);
    }
    async del(key) {
        this.stmt.del.run(key);
    }
    /** Deletes expired keys and one-time ids; returns how many. */
    sweep() {
        const now = this.clock.now();
        this.forgetExpiredOnce(now);
        return this.stmt.sweep.run(now).changes + this.stmt.onceSweep.run(now).changes;
    }
    async ping() {
        this.stmt.ping.get();
    }
    async close() {
        if (this.sweeper)
            clearInterval(this.sweeper);
    }
}
