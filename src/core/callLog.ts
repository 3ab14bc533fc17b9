import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { Database } from '../store/schema.ts';
import { callLogSinkFor, type CallLogSink, type CallRecord, type CallResult } from '../store/callLogRows.ts';
import { CALL_FILTERS, filterColumn, type CallQuery } from './callQuery.ts';

export { CALL_RESULTS } from '../store/callLogRows.ts';
export type { CallQuery, CallRecord, CallResult };

/** The rows one page of an export reads: memory stays flat however many rows it writes. */
const EXPORT_PAGE = 1000;

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
 * crash can lose the batch being gathered and those handed to the sink but not yet committed, never
 * a reply's own data.
 */
export class CallLog {
  private buffer: CallRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  /**
   * Batches go to `sink` when given (on the embedded store: the SQLite thread, so the inserts cost
   * the request thread nothing), else through Kysely.
   */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly onError: (err: unknown) => void,
    private readonly flushMs = 200,
    private readonly batchSize = 500,
    private readonly sink: CallLogSink = callLogSinkFor(db),
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
    // Handed over at once where the sink keeps the order: rows kept on the request thread until an
    // earlier batch commits (a checkpoint holds the writer for milliseconds) outlive young-generation
    // collections, and what reaches the old generation costs full collections.
    if (this.sink.inOrder) this.flushing = this.sink.write(rows).catch(this.onError);
    else this.flushing = this.flushing.then(() => this.sink.write(rows).catch(this.onError));
    return this.flushing;
  }

  /** The calls `q` selects, newest first: at most `q.limit` (100 by default, up to 1000) after skipping `q.offset`. */
  async query(q: CallQuery): Promise<CallRecord[]> {
    await this.flush();
    let query = this.filtered(q)
      .selectAll()
      .orderBy('id', 'desc')
      .limit(Math.max(1, Math.min(q.limit ?? 100, 1000)));
    if (q.offset) query = query.offset(q.offset);
    return (await query.execute()).map(toRecord);
  }

  /** How many calls `q`'s filters select (its limit and offset aside): the pages' total. */
  async count(q: CallQuery): Promise<number> {
    await this.flush();
    const row = await this.filtered(q)
      .select((eb) => eb.fn.countAll<number | string | bigint>().as('calls'))
      .executeTakeFirstOrThrow();
    return Number(row.calls);
  }

  /**
   * Every call `q` selects, newest first (skipping `q.offset`, at most `q.limit`, unbounded when
   * none), read a page at a time: each page continues below the last id read, so rows written
   * while an export runs neither shift nor repeat the pages.
   */
  async *pages(q: CallQuery, pageSize = EXPORT_PAGE): AsyncGenerator<CallRecord[]> {
    await this.flush();
    let left = q.limit ?? Number.POSITIVE_INFINITY;
    let below: number | undefined;
    while (left > 0) {
      let query = this.filtered(q).selectAll().orderBy('id', 'desc').limit(Math.min(pageSize, left));
      if (below === undefined) {
        if (q.offset) query = query.offset(q.offset);
      } else query = query.where('id', '<', below);
      const rows = await query.execute();
      if (rows.length === 0) return;
      left -= rows.length;
      below = Number(rows.at(-1)!.id);
      yield rows.map(toRecord);
      if (rows.length < pageSize) return;
    }
  }

  /** The call log with `q`'s filters and time range applied. */
  private filtered(q: CallQuery): SelectQueryBuilder<Database, 'call_log', object> {
    let query: SelectQueryBuilder<Database, 'call_log', object> = this.db.selectFrom('call_log');
    for (const filter of CALL_FILTERS) {
      const value = q[filter];
      // The column is named by the filter (callQuery.ts), one of call_log's.
      if (value) query = query.where(filterColumn(filter) as 'front', '=', value);
    }
    if (q.since !== undefined) query = query.where('at', '>=', q.since);
    if (q.until !== undefined) query = query.where('at', '<', q.until);
    return query;
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

type CallLogRow = {
  at: number | string | bigint;
  front: string;
  endpoint: string;
  credential: string | null;
  outcome: string;
  result: string | null;
  latency_ms: number | string;
  request_id: string;
};

function toRecord(r: CallLogRow): CallRecord {
  return {
    at: Number(r.at),
    front: r.front,
    endpoint: r.endpoint,
    credential: r.credential,
    outcome: r.outcome,
    result: r.result as CallResult | null,
    latencyMs: Number(r.latency_ms),
    requestId: r.request_id,
  };
}
