import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import { kyselyCallLogSink, type CallLogSink, type CallRecord, type CallResult } from '../store/callLogRows.ts';

export { CALL_RESULTS } from '../store/callLogRows.ts';
export type { CallRecord, CallResult };

export interface CallQuery {
  front?: string;
  credential?: string;
  endpoint?: string;
  outcome?: string;
  result?: CallResult;
  /** Only the request with this id. */
  requestId?: string;
  since?: number;
  until?: number;
  limit?: number;
  /** Rows to skip (the next page). */
  offset?: number;
}

/** Calls counted per time bucket, front, endpoint, outcome and result (the console's chart). */
export interface CallCount {
  bucket: number;
  front: string;
  endpoint: string;
  outcome: string;
  result: CallResult | null;
  calls: number;
}

/**
 * One row per API call, never with a secret in it. Rows are written in small batches off the
 * request path (every `flushMs` or `batchSize` rows), so the log costs a request almost nothing; a
 * crash can lose at most the last batch of log rows, never a reply's own data.
 */
export class CallLog {
  private buffer: CallRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  /**
   * Batches go to `sink` when given (on the embedded store: a writer thread, so the inserts cost
   * the request thread nothing), else through Kysely.
   */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly onError: (err: unknown) => void,
    private readonly flushMs = 200,
    private readonly batchSize = 500,
    private readonly sink: CallLogSink = kyselyCallLogSink(db),
  ) {}

  record(row: CallRecord): void {
    this.buffer.push(row);
    if (this.buffer.length >= this.batchSize) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.flushMs);
      this.timer.unref();
    }
  }

  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const rows = this.buffer;
    this.buffer = [];
    if (rows.length === 0) return this.flushing;
    this.flushing = this.flushing.then(() => this.sink.write(rows).catch(this.onError));
    return this.flushing;
  }

  async query(q: CallQuery): Promise<CallRecord[]> {
    await this.flush();
    let query = this.db
      .selectFrom('call_log')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(Math.max(1, Math.min(q.limit ?? 100, 1000)));
    if (q.offset) query = query.offset(q.offset);
    if (q.front) query = query.where('front', '=', q.front);
    if (q.credential) query = query.where('credential', '=', q.credential);
    if (q.endpoint) query = query.where('endpoint', '=', q.endpoint);
    if (q.outcome) query = query.where('outcome', '=', q.outcome);
    if (q.result) query = query.where('result', '=', q.result);
    if (q.requestId) query = query.where('request_id', '=', q.requestId);
    if (q.since !== undefined) query = query.where('at', '>=', q.since);
    if (q.until !== undefined) query = query.where('at', '<', q.until);
    const rows = await query.execute();
    return rows.map((r) => ({
      at: Number(r.at),
      front: r.front,
      endpoint: r.endpoint,
      credential: r.credential,
      outcome: r.outcome,
      result: r.result as CallResult | null,
      latencyMs: Number(r.latency_ms),
      requestId: r.request_id,
    }));
  }

  /** Calls from `since` (inclusive) to `until` (exclusive), counted per `bucketMs` (from the epoch), front, endpoint and outcome. */
  async counts(since: number, until: number, bucketMs: number): Promise<CallCount[]> {
    await this.flush();
    // Integer division on both stores (`at` is a bigint of ms): the bucket's number.
    const bucket = sql<number>`(${sql.ref('at')} / ${sql.lit(Math.floor(bucketMs))})`;
    const rows = await this.db
      .selectFrom('call_log')
      .select([bucket.as('bucket'), 'front', 'endpoint', 'outcome', 'result', (eb) => eb.fn.countAll<number>().as('calls')])
      .where('at', '>=', since)
      .where('at', '<', until)
      .groupBy([bucket, 'front', 'endpoint', 'outcome', 'result'])
      .execute();
    return rows.map((r) => ({
      bucket: Number(r.bucket) * bucketMs,
      front: r.front,
      endpoint: r.endpoint,
      outcome: r.outcome,
      result: r.result as CallResult | null,
      calls: Number(r.calls),
    }));
  }

  prune(olderThan: number): Promise<number> {
    return this.sink.prune(olderThan);
  }
}
