import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
/** Prometheus metrics of one kaifang instance; labels never carry credentials or values. */
export class Metrics {
    registry = new Registry();
    requests = new Counter({
        name: 'kaifang_requests_total',
        help: 'API calls by front, endpoint and outcome code',
        labelNames: ['front', 'endpoint', 'outcome'],
        registers: [this.registry],
    });
    latency = new Histogram({
        name: 'kaifang_request_duration_seconds',
        help: 'API call latency by front and endpoint',
        labelNames: ['front', 'endpoint'],
        buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        registers: [this.registry],
    });
    upstreamCalls = new Counter({
        name: 'kaifang_upstream_calls_total',
        help: 'Calls to upstream services by upstream and outcome (ok, rejected, unavailable)',
        labelNames: ['upstream', 'outcome'],
        registers: [this.registry],
    });
    upstreamLatency = new Histogram({
        name: 'kaifang_upstream_duration_seconds',
        help: 'Upstream call latency by upstream',
        labelNames: ['upstream'],
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        registers: [this.registry],
    });
    constructor(defaults = true) {
        if (defaults)
            collectDefaultMetrics({ register: this.registry, prefix: 'kaifang_' });
    }
}
