/** Latency is kept to the microsecond. */
export const roundMs = (ms) => Math.round(ms * 1000) / 1000;
/**
 * One row per API call, never with a secret in it. Rows are written in small batches off the
 * request path (every `flushMs` or `batchSize` rows), so the log costs a request almost nothing; a
 * crash can lose at most the last batch of log rows, never a reply's own data.
 */
export class CallLog {
    db;
    onError;
    flushMs;
    batchSize;
    sink;
    buffer = [];
    timer;
    flushing = Promise.resolve();
    /**
     * Batches go to `sink` when given (on the embedded store: a writer thread, so the inserts cost
     * the request thread nothing), else through Kysely.
     */
    constructor(db, onError, flushMs = 200, batchSize = 500, sink = kyselySink(db)) {
        this.db = db;
        this.onError = onError;
        this.flushMs = flushMs;
        this.batchSize = batchSize;
        this.sink = sink;
    }
    record(row) {
        this.buffer.push(row);
        if (this.buffer.length >= this.batchSize)
            void this.flush();
        else if (!this.timer) {
            this.timer = setTimeout(() => void this.flush(), this.flushMs);
            this.timer.unref();
        }
    }
    flush() {
        if (this.timer)
            clearTimeout(this.timer);
        this.timer = undefined;
        const rows = this.buffer;
        this.buffer = [];
        if (rows.length === 0)
            return this.flushing;
        this.flushing = this.flushing.then(() => this.sink.write(rows).catch(this.onError));
        return this.flushing;
    }
    async query(q) {
        await this.flush();
        let query = this.db.selectFrom('call_log').selectAll().orderBy('id', 'desc').limit(Math.min(q.limit ?? 100, 1000));
        if (q.front)
            query = query.where('front', '=', q.front);
        if (q.credential)
            query = query.where('credential', '=', q.credential);
        if (q.since !== undefined)
            query = query.where('at', '>=', q.since);
        if (q.until !== undefined)
            query = query.where('at', '<', q.until);
        const rows = await query.execute();
        return rows.map((r) => ({
            at: Number(r.at),
            front: r.front,
            endpoint: r.endpoint,
            credential: r.credential,
            outcome: r.outcome,
            latencyMs: Number(r.latency_ms),
            requestId: r.request_id,
        }));
    }
    prune(olderThan) {
        return this.sink.prune(olderThan);
    }
}
function kyselySink(db) {
    return {
        async write(rows) {
            await db
                .insertInto('call_log')
                .values(rows.map((r) => ({
                at: r.at,
                front: r.front,
                endpoint: r.endpoint,
                credential: r.credential,
                outcome: r.outcome,
                latency_ms: roundMs(r.latencyMs),
                request_id: r.requestId,
            })))
                .execute();
        },
        async prune(olderThan) {
            const res = await db.deleteFrom('call_log').where('at', '<', olderThan).executeTakeFirst();
            return Number(res.numDeletedRows);
        },
    };
}
