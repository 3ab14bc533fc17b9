import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { CallTally } from './callTally.ts';

/** How often the event-loop delay monitor's timer asks to run, ms (see `eventLoopDelay`). */
export const EVENT_LOOP_RESOLUTION_MS = 2;

/** Prometheus metrics of one kaifang instance; labels never carry credentials or values. */
export class Metrics {
  readonly registry = new Registry();
  /** `kaifang_requests_total` and `kaifang_request_duration_seconds`, tallied per call and read at scrape time. */
  readonly calls = new CallTally(this.registry);
  readonly upstreamCalls = new Counter({
    name: 'kaifang_upstream_calls_total',
    help: 'Calls to upstream services by upstream and outcome (ok, rejected, unavailable)',
    labelNames: ['upstream', 'outcome'] as const,
    registers: [this.registry],
  });
  /** WeChat's refusals by API and errcode (fed by the WeChat adapters): 40164, 48001 and their kind show by code. */
  readonly wechatErrors = new Counter({
    name: 'kaifang_wechat_errors_total',
    help: 'WeChat refusals (a non-zero errcode) by API and errcode',
    labelNames: ['api', 'errcode'] as const,
    registers: [this.registry],
  });
  readonly upstreamLatency = new Histogram({
    name: 'kaifang_upstream_duration_seconds',
    help: 'Upstream call latency by upstream',
    labelNames: ['upstream'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  /** The last upstream calls of this process, oldest first (the console's call details). */
  readonly recentUpstream: { upstream: string; outcome: string; startedAt: number; ms: number }[] = [];
  noteUpstream(call: { upstream: string; outcome: string; startedAt: number; ms: number }): void {
    this.recentUpstream.push(call);
    if (this.recentUpstream.length > 2000) this.recentUpstream.splice(0, 500);
  }
  /** Sign-in attempts of the console with a wrong admin token. */
  readonly consoleSignInFailures = new Counter({
    name: 'kaifang_console_signin_failures_total',
    help: 'Console sign-ins refused for a wrong admin token',
    registers: [this.registry],
  });
  /**
   * The event loop's delay, from `perf_hooks.monitorEventLoopDelay`: a timer due every
   * EVENT_LOOP_RESOLUTION_MS records how long it really took between two of its runs, so an idle
   * loop shows about 2 ms and a loop blocked for 30 ms shows up to 32 ms. The gauges cover the time
   * since the previous scrape of /metrics (each scrape starts a new window), so one scraper (or a
   * benchmark round) reads the worst stall of its own interval.
   */
  private readonly eventLoopDelay: IntervalHistogram | undefined;
  /** Which build serves: `kaifang_build_info{version, schema}` 1 (see `describeBuild`). */
  readonly buildInfo = new Gauge({
    name: 'kaifang_build_info',
    help: "This process's kaifang version and the newest store migration it knows (the store's schema version), always 1",
    labelNames: ['version', 'schema'] as const,
    registers: [this.registry],
  });
  /** How the readiness gauge learns the answer of /readyz (see `watchReadiness`). */
  private readinessCheck: (() => Promise<boolean>) | undefined;

  constructor(defaults = true) {
    const metrics = this;
    new Gauge({
      name: 'kaifang_ready',
      help: '1 when /readyz would answer 200 (database and state answer, the process is not stopping), else 0; checked at each scrape',
      registers: [this.registry],
      async collect() {
        this.set(metrics.readinessCheck ? ((await metrics.readinessCheck()) ? 1 : 0) : 1);
      },
    });
    if (!defaults) return;
    collectDefaultMetrics({ register: this.registry, prefix: 'kaifang_' });
    const h = monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS });
    h.enable();
    this.eventLoopDelay = h;
    const seconds = (ns: number) => (Number.isFinite(ns) ? ns / 1e9 : 0);
    const windowed = (name: string, help: string, read: (h: IntervalHistogram) => number, last = false) =>
      new Gauge({
        name,
        help: `${help} since the previous scrape (timer every ${EVENT_LOOP_RESOLUTION_MS} ms, its own interval included)`,
        registers: [this.registry],
        collect() {
          this.set(h.count > 0 ? read(h) : 0);
          // The last gauge of the group (registration order = collection order) starts the next window.
          if (last) h.reset();
        },
      });
    windowed('kaifang_event_loop_delay_p50_seconds', 'Median event-loop delay', (x) => seconds(x.percentile(50)));
    windowed('kaifang_event_loop_delay_p99_seconds', '99th percentile of the event-loop delay', (x) => seconds(x.percentile(99)));
    windowed('kaifang_event_loop_delay_max_seconds', 'Longest event-loop delay', (x) => seconds(x.max));
    windowed('kaifang_event_loop_delay_samples', 'Event-loop delay samples', (x) => x.count, true);
  }

  /** Sets the build info gauge (once per process). */
  describeBuild(version: string, schema: string): void {
    this.buildInfo.set({ version, schema }, 1);
  }

  /** The check `kaifang_ready` runs at each scrape. */
  watchReadiness(check: () => Promise<boolean>): void {
    this.readinessCheck = check;
  }

  /**
   * `kaifang_replay_index_ids` and `kaifang_replay_index_bytes`, read at each scrape: the embedded
   * store's in-memory index of live one-time ids, the part of the resident memory that grows with
   * the signed calls of the replay window (see the README's memory figures).
   */
  watchReplayIndex(read: () => { ids: number; bytes: number }): void {
    new Gauge({
      name: 'kaifang_replay_index_ids',
      help: 'One-time ids (signed calls) in the embedded store’s in-memory replay index, live within their window',
      registers: [this.registry],
      collect() {
        this.set(read().ids);
      },
    });
    new Gauge({
      name: 'kaifang_replay_index_bytes',
      help: 'Bytes of the embedded store’s in-memory replay index (its table and recording-order queue)',
      registers: [this.registry],
      collect() {
        this.set(read().bytes);
      },
    });
  }

  /** Stops the event-loop delay monitor (its timer does not keep the process alive either way). */
  close(): void {
    this.eventLoopDelay?.disable();
  }
}
