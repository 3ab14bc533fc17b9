/** Counts an API call in the metrics and writes its call-log row: every front calls this once per call. */
export function observeCall(k, call) {
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
