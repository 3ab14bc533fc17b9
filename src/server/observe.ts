import type { Kaifang } from './kaifang.ts';

export interface CallOutcome {
  front: string;
  endpoint: string;
  /** The credential's public id (developer key, agent id, …); never a secret. */
  credential: string | null;
  /** The front's own outcome code, as text. */
  outcome: string;
  /** `process.hrtime.bigint()` when the request started. */
  startedAt: bigint;
  requestId: string;
}

/** Counts an API call in the metrics and writes its call-log row: every front calls this once per call. */
export function observeCall(k: Kaifang, call: CallOutcome): void {
  const seconds = Number(process.hrtime.bigint() - call.startedAt) / 1e9;
  k.metrics.requests.inc({ front: call.front, endpoint: call.endpoint, outcome: call.outcome });
  k.metrics.latency.observe({ front: call.front, endpoint: call.endpoint }, seconds);
  k.callLog.record({
    at: k.clock.now(),
    front: call.front,
    endpoint: call.endpoint,
    credential: call.credential,
    outcome: call.outcome,
    latencyMs: seconds * 1000,
    requestId: call.requestId,
  });
}
