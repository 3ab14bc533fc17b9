const roundMs = (ms) => Math.round(ms * 1000) / 1000;
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
    buffer = [];
    timer;
    flushing = Promise.resolve();
    write;
    /**
     * With the embedded SQLite handle the batch goes in through one prepared statement in one
     * transaction: building a 500-row insert costs more than the rows themselves.
     */
    constructor(db, onError, flushMs = 200, batchSize = 500, sqlite) {
        this.db = db;
        this.onError = onError;
        this.flushMs = flushMs;
        this.batchSize = batchSize;
        if (sqlite) {
            const insert = sqlite.prepare('insert into call_log (at, front, endpoint, credential, outcome, latency_ms, request_id) values (?, ?, ?, ?, ?, ?, ?)');
            const all = sqlite.transaction((rows) => {
                for (const r of rows)
                    insert.run(r.at, r.front, r.endpoint, r.credential, r.outcome, roundMs(r.latencyMs), r.requestId);
            });
            this.write = async (rows) => all(rows);
        }
        else {
            this.write = async (rows) => {
                await this.db
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
            };
        }
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
        this.flushing = this.flushing.then(() => this.write(rows).catch(this.onError));
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
    async prune(olderThan) {
        const res = await this.db.deleteFrom('call_log').where('at', '<', olderThan).executeTakeFirst();
        return Number(res.numDeletedRows);
    }
}
