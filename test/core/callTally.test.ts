import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Counter, Histogram, Registry } from 'prom-client';
import { CallTally, LATENCY_BUCKETS } from '../../src/server/callTally.ts';

/**
 * The tally writes what prom-client's own Counter and Histogram write for the same calls: the
 * same series, label sets, cumulative buckets, sums and counts (checked against prom-client itself).
 */
test('the call tally exposes exactly what prom-client would for the same calls', async () => {
  const calls: [string, string, string, 'ok' | 'refused' | 'upstream_error' | 'error', number][] = [
    ['opretail', 'open.gateway.authentication', '0', 'ok', 0.0004],
    ['opretail', 'open.gateway.authentication', '0', 'ok', 0.003],
    ['opretail', 'open.gateway.authentication', '7', 'refused', 0.0011],
    ['opretail', 'shop.order.list', '-500', 'upstream_error', 12],
    ['weiting', '/service/1.0/user/info', '0', 'ok', 0.25],
    ['weiting', '/service/1.0/user/info', '0', 'ok', 0.0005],
  ];
  const ours = new Registry();
  const tally = new CallTally(ours);
  const theirs = new Registry();
  const requests = new Counter({
    name: 'kaifang_requests_total',
    help: "API calls by front, endpoint, the front's own outcome code, and result (ok, refused, upstream_error, error)",
    labelNames: ['front', 'endpoint', 'outcome', 'result'] as const,
    registers: [theirs],
  });
  const latency = new Histogram({
    name: 'kaifang_request_duration_seconds',
    help: 'API call latency by front, endpoint and result',
    labelNames: ['front', 'endpoint', 'result'] as const,
    buckets: [...LATENCY_BUCKETS],
    registers: [theirs],
  });
  for (const [front, endpoint, outcome, result, seconds] of calls) {
    tally.record(front, endpoint, outcome, result, seconds);
    requests.inc({ front, endpoint, outcome, result });
    latency.observe({ front, endpoint, result }, seconds);
  }
  const lines = (text: string) =>
    text
      .split('\n')
      .filter((l) => l !== '')
      .sort();
  assert.deepEqual(lines(await ours.metrics()), lines(await theirs.metrics()));
  assert.match(
    await ours.metrics(),
    /^kaifang_request_duration_seconds_bucket\{le="10",front="opretail",endpoint="shop\.order\.list",result="upstream_error"\} 0$/m,
  );
});
