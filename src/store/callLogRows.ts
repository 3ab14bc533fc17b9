import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

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

/** Where call-log rows go: through Kysely, or the embedded store's writer thread. */
export interface CallLogSink {
  /** Resolves once the rows are committed. */
  write(rows: CallRecord[]): Promise<void>;
  prune(olderThan: number): Promise<number>;
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
