import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';
import { isPostgres } from './migrations/util.ts';

/**
 * What became of a call, in the words every front shares (each keeps its own outcome code beside
 * it): answered as asked (`ok`); refused for the caller's request — a bad signature, a limit, a
 * disabled key, a malformed body (`refused`); failed because a service behind kaifang failed or
 * refused (`upstream_error`); failed inside kaifang (`error`).
 */
export type CallResult = 'ok' | 'refused' | 'upstream_error' | 'error';

export const CALL_RESULTS: readonly CallResult[] = ['ok', 'refused', 'upstream_error', 'error'];

/** One row of the call log, as the core records it. */
export interface CallRecord {
  at: number;
  front: string;
  endpoint: string;
  credential: string | null;
  outcome: string;
  /** Null only on rows logged before results were (migration 012). */
  result: CallResult | null;
  latencyMs: number;
  requestId: string;
}

/** Latency is kept to the microsecond. */
export const roundMs = (ms: number) => Math.round(ms * 1000) / 1000;

/** Where call-log rows go: through Kysely, or the embedded store's SQLite thread. */
export interface CallLogSink {
  /** Resolves once the rows are committed. */
  write(rows: CallRecord[]): Promise<void>;
  /**
   * Writes made one after another without waiting are committed in the order they were made (a
   * thread's message queue), so the call log hands each batch over at once.
   */
  readonly inOrder?: boolean;
  prune(olderThan: number): Promise<number>;
}

/**
 * On PostgreSQL: a batch is one statement of eight array parameters (`unnest`), not eight
 * parameters a row. Building a 500-row insert through Kysely cost the request thread ~4 µs a call
 * and most of its garbage; the arrays cost a fraction of that (bench/RESULTS.md).
 */
export function postgresCallLogSink(db: Kysely<Database>): CallLogSink {
  const kysely = kyselyCallLogSink(db);
  return {
    async write(rows) {
      const n = rows.length;
      const at = new Array<number>(n);
      const front = new Array<string>(n);
      const endpoint = new Array<string>(n);
      const credential = new Array<string | null>(n);
      const outcome = new Array<string>(n);
      const result = new Array<string | null>(n);
      const latency = new Array<number>(n);
      const requestId = new Array<string>(n);
      for (let i = 0; i < n; i++) {
        const r = rows[i]!;
        at[i] = r.at;
        front[i] = r.front;
        endpoint[i] = r.endpoint;
        credential[i] = r.credential;
        outcome[i] = r.outcome;
        result[i] = r.result;
        latency[i] = roundMs(r.latencyMs);
        requestId[i] = r.requestId;
      }
      await sql`insert into call_log (at, front, endpoint, credential, outcome, result, latency_ms, request_id)
        select * from unnest(${at}::bigint[], ${front}::text[], ${endpoint}::text[], ${credential}::text[],
          ${outcome}::text[], ${result}::text[], ${latency}::real[], ${requestId}::text[])`.execute(db);
    },
    prune: kysely.prune,
  };
}

/** The sink for `db` when no other is given: the array insert on PostgreSQL, else Kysely's. */
export function callLogSinkFor(db: Kysely<Database>): CallLogSink {
  return isPostgres(db as unknown as Kysely<unknown>) ? postgresCallLogSink(db) : kyselyCallLogSink(db);
}

export function kyselyCallLogSink(db: Kysely<Database>): CallLogSink {
  return {
    async write(rows) {
      await db
        .insertInto('call_log')
        .values(
          rows.map((r) => ({
            at: r.at,
            front: r.front,
            endpoint: r.endpoint,
            credential: r.credential,
            outcome: r.outcome,
            result: r.result,
            latency_ms: roundMs(r.latencyMs),
            request_id: r.requestId,
          })),
        )
        .execute();
    },
    async prune(olderThan) {
      const res = await db.deleteFrom('call_log').where('at', '<', olderThan).executeTakeFirst();
      return Number(res.numDeletedRows);
    },
  };
}
