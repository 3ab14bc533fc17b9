import type { Metric, Registry } from 'prom-client';
import type { CallResult } from '../core/callLog.ts';

/** The latency histogram's upper bounds, seconds. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

interface CountSeries {
  labels: { front: string; endpoint: string; outcome: string; result: CallResult };
  value: number;
}

interface LatencySeries {
  labels: { front: string; endpoint: string; result: CallResult };
  /** Calls per bucket, not cumulative; the last one is +Inf. */
  buckets: Float64Array;
  sum: number;
  count: number;
}

type MetricJson = { metricName?: string; labels: Record<string, string | number>; value: number };

type Level = Map<string, unknown>;

/** The map under `key`, made on first use: one Map per label, so no label set is hashed or joined per call. */
function child(level: Level, key: string): Level {
  let next = level.get(key) as Level | undefined;
  if (!next) {
    next = new Map();
    level.set(key, next);
  }
  return next;
}

/**
 * `kaifang_requests_total` and `kaifang_request_duration_seconds`, counted on the request path in
 * plain Maps and numbers and handed to prom-client only when `/metrics` is scraped. prom-client's
 * own `inc`/`observe` sort and join the label set into a key on every call (~2 µs a call, the
 * profile in bench/RESULTS.md); here a call costs four Map lookups and two additions. The text
 * `/metrics` writes is the same as prom-client's Counter and Histogram would write.
 */
export class CallTally {
  private readonly counts: Level = new Map();
  private readonly latencies: Level = new Map();
  private readonly countList: CountSeries[] = [];
  private readonly latencyList: LatencySeries[] = [];

  constructor(registry: Registry) {
    const counter = {
      name: 'kaifang_requests_total',
      help: "API calls by front, endpoint, the front's own outcome code, and result (ok, refused, upstream_error, error)",
      type: 'counter',
      values: (): MetricJson[] => this.countList.map((s) => ({ labels: { ...s.labels }, value: s.value })),
    };
    const histogram = {
      name: 'kaifang_request_duration_seconds',
      help: 'API call latency by front, endpoint and result',
      type: 'histogram',
      values: (): MetricJson[] => this.latencyList.flatMap((s) => histogramValues('kaifang_request_duration_seconds', s)),
    };
    for (const m of [counter, histogram]) {
      const get = async () => ({ name: m.name, help: m.help, type: m.type, aggregator: 'sum', values: m.values() });
      registry.registerMetric({ name: m.name, help: m.help, type: m.type, aggregator: 'sum', get, reset() {} } as unknown as Metric);
    }
  }

  /** Counts one call and its latency; no object is made once its series exist. */
  record(front: string, endpoint: string, outcome: string, result: CallResult, seconds: number): void {
    const byResult = child(child(child(this.counts, front), endpoint), outcome);
    let count = byResult.get(result) as CountSeries | undefined;
    if (!count) {
      count = { labels: { front, endpoint, outcome, result }, value: 0 };
      byResult.set(result, count);
      this.countList.push(count);
    }
    count.value++;
    const latencies = child(child(this.latencies, front), endpoint);
    let latency = latencies.get(result) as LatencySeries | undefined;
    if (!latency) {
      latency = { labels: { front, endpoint, result }, buckets: new Float64Array(LATENCY_BUCKETS.length + 1), sum: 0, count: 0 };
      latencies.set(result, latency);
      this.latencyList.push(latency);
    }
    let i = 0;
    while (i < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[i]!) i++;
    latency.buckets[i]!++;
    latency.sum += seconds;
    latency.count++;
  }
}

/** A series as prom-client's Histogram lists it: cumulative `_bucket`s with `le`, then `_sum` and `_count`. */
function histogramValues(name: string, s: LatencySeries): MetricJson[] {
  const values: MetricJson[] = [];
  let cumulative = 0;
  for (let i = 0; i <= LATENCY_BUCKETS.length; i++) {
    cumulative += s.buckets[i]!;
    values.push({
      metricName: `${name}_bucket`,
      labels: { le: i < LATENCY_BUCKETS.length ? LATENCY_BUCKETS[i]! : '+Inf', ...s.labels },
      value: cumulative,
    });
  }
  values.push({ metricName: `${name}_sum`, labels: { ...s.labels }, value: s.sum });
  values.push({ metricName: `${name}_count`, labels: { ...s.labels }, value: s.count });
  return values;
}
