import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KAIFANG_ENV, kaifangArgs } from '../bench/harness.ts';
import { envExample } from '../src/cli/config.ts';
import { settings } from '../src/server/config.ts';
import { frontFixtures } from './helpers/frontFixtures.ts';
import { startServer } from './helpers/server.ts';
import { kaifang } from './cli/run.ts';

/**
 * deploy/ holds what an operator installs beside kaifang: a systemd unit, Prometheus alerting
 * rules, a Grafana dashboard and an example configuration. Each is checked here: by the tool that
 * reads it when it is installed (systemd-analyze, promtool; .ci/run installs both), and against the
 * metrics and settings the code really has.
 */

const deploy = (path: string) => new URL(`../deploy/${path}`, import.meta.url);
const which = (binary: string) => ['/usr/bin', '/bin', '/usr/local/bin'].map((d) => join(d, binary)).find((p) => existsSync(p));

test('deploy/kaifang.env names every setting with its default: the one `kaifang config --env-example` writes', () => {
  const file = readFileSync(deploy('kaifang.env'), 'utf8');
  assert.equal(file, envExample(), 'regenerate with `npx kaifang config --env-example > deploy/kaifang.env`');
  for (const s of Object.values(settings)) assert.match(file, new RegExp(`^# ${s.env}=`, 'm'));
});

test('deploy/kaifang.service passes systemd-analyze verify; it stops with SIGTERM and waits for /readyz', {
  skip: which('systemd-analyze') ? false : 'systemd-analyze is not installed (Debian package systemd)',
}, (t) => {
  const unit = readFileSync(deploy('kaifang.service'), 'utf8');
  assert.match(unit, /^KillSignal=SIGTERM$/m);
  assert.match(unit, /^ExecStartPost=.* ready --wait \d+$/m);
  assert.match(unit, /^NoNewPrivileges=yes$/m);
  const timeout = Number(/^TimeoutStopSec=(\d+)$/m.exec(unit)?.[1]);
  const drain = Number(settings.drainMs!.default) + Number(settings.stopTimeoutMs!.default) + 5000;
  assert.ok(timeout * 1000 > drain, `TimeoutStopSec (${timeout} s) covers drain + stop timeout + 5 s (${drain} ms)`);
  const dir = mkdtempSync(join(tmpdir(), 'kaifang-unit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  copyFileSync(deploy('kaifang.service'), join(dir, 'kaifang.service'));
  const r = spawnSync(which('systemd-analyze')!, ['verify', join(dir, 'kaifang.service')], { encoding: 'utf8', timeout: 60_000 });
  const complaints = `${r.stdout}${r.stderr}`
    .split('\n')
    // A build machine has no kaifang installed in /opt, nor the unit's user: not the unit's fault.
    .filter((l) => l.trim() !== '' && !/\/opt\/kaifang|kaifang\.env|User=|Group=|No such file/.test(l));
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  assert.deepEqual(complaints, []);
});

test('the unit, `npm start` and the benchmarks run node alike: the same flags, the same malloc arenas', () => {
  const start = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).scripts.start as string;
  const fromStart = /MALLOC_ARENA_MAX=\$\{MALLOC_ARENA_MAX:-(\d+)\} exec node (.*) dist\/cli\/main\.js serve$/.exec(start);
  assert.ok(fromStart, `npm start: ${start}`);
  const unit = readFileSync(deploy('kaifang.service'), 'utf8');
  const arenas = /^Environment=MALLOC_ARENA_MAX=(\d+)$/m.exec(unit)?.[1];
  const flags = /^ExecStart=\/usr\/bin\/node (.*) \/opt\/kaifang\/dist\/cli\/main\.js serve$/m.exec(unit)?.[1];
  assert.deepEqual([arenas, flags], [fromStart[1], fromStart[2]], 'deploy/kaifang.service');
  const bench = kaifangArgs();
  assert.deepEqual(
    [KAIFANG_ENV.MALLOC_ARENA_MAX, bench.slice(0, bench.indexOf('dist/cli/main.js')).join(' ')],
    [fromStart[1], fromStart[2]],
    'bench/harness.ts',
  );
});

test('deploy/prometheus/kaifang-rules.yml passes promtool check rules', {
  skip: which('promtool') ? false : 'promtool is not installed (Debian package prometheus)',
}, () => {
  const r = spawnSync(which('promtool')!, ['check', 'rules', new URL(deploy('prometheus/kaifang-rules.yml')).pathname], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  assert.match(r.stdout, /SUCCESS: \d+ rules found/);
});

/** PromQL's own words: functions, aggregations, keywords. */
const PROMQL_WORDS = new Set(
  (
    'sum avg min max count count_values stddev stdvar topk bottomk quantile group by without on ignoring group_left group_right ' +
    'and or unless bool offset rate irate increase delta idelta deriv histogram_quantile abs ceil floor round clamp clamp_min clamp_max ' +
    'label_replace label_join vector scalar time absent absent_over_time avg_over_time max_over_time min_over_time sum_over_time count_over_time ' +
    'changes resets predict_linear sort sort_desc label_values inf nan'
  ).split(' '),
);
/** Made by Prometheus itself, not by /metrics: the scrape's health and the target's labels. */
const FROM_PROMETHEUS = { metrics: new Set(['up']), labels: new Set(['job', 'instance']) };

/** The metric names and label names a PromQL expression (or a Grafana variable query) refers to. */
export function promqlNames(expr: string): { metrics: Set<string>; labels: Set<string> } {
  const labels = new Set<string>();
  let e = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""') // strings
    .replace(/\$\{?\w+\}?/g, '') // Grafana variables
    .replace(/\[[^\]]*\]/g, ''); // ranges
  const lv = /label_values\(\s*([a-zA-Z_:][\w:]*)\s*,\s*([a-zA-Z_]\w*)\s*\)/.exec(e);
  if (lv) return { metrics: new Set([lv[1]!]), labels: new Set([lv[2]!]) };
  e = e.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g, (_m, _w, list: string) => {
    for (const l of list.split(',').map((x) => x.trim())) if (l) labels.add(l);
    return ' ';
  });
  e = e.replace(/\{([^}]*)\}/g, (_m, inner: string) => {
    for (const m of inner.matchAll(/([a-zA-Z_]\w*)\s*(=~|!~|!=|=)/g)) labels.add(m[1]!);
    return ' ';
  });
  const metrics = new Set<string>();
  for (const m of e.matchAll(/(?<![\w.])([a-zA-Z_:][\w:]*)(?!\w)(\s*\()?/g)) {
    if (m[2] || PROMQL_WORDS.has(m[1]!) || /^\d/.test(m[1]!)) continue;
    metrics.add(m[1]!);
  }
  return { metrics, labels };
}

test('every metric and label the dashboard and the alert rules name is one /metrics exposes', async (t) => {
  const s = await startServer();
  t.after(() => s.close());
  // A few calls of every front, upstream calls through the sandbox among them.
  for (const { fixture } of await frontFixtures()) await fixture.fill(s);
  const text = await (await fetch(`${s.url}/metrics`)).text();
  const exposed = new Map<string, Set<string>>();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? /.exec(line);
    if (!m) continue;
    const labels = exposed.get(m[1]!) ?? new Set<string>();
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_]\w*)="/g)) labels.add(l[1]!);
    exposed.set(m[1]!, labels);
  }

  const dashboard = JSON.parse(readFileSync(deploy('grafana/kaifang-dashboard.json'), 'utf8')) as {
    panels: { title: string; targets: { expr: string }[] }[];
    templating: { list: { query?: string; type: string }[] };
  };
  const rules = readFileSync(deploy('prometheus/kaifang-rules.yml'), 'utf8');
  const exprs = [
    ...dashboard.panels.flatMap((p) => p.targets.map((x) => ({ where: `dashboard: ${p.title}`, expr: x.expr }))),
    ...dashboard.templating.list.filter((v) => v.type === 'query').map((v) => ({ where: 'dashboard variable', expr: v.query! })),
    ...[...rules.matchAll(/^\s*expr: (.+)$/gm)].map((m) => ({ where: 'rules', expr: m[1]! })),
  ];
  assert.ok(exprs.length >= 15, `${exprs.length} expressions`);
  for (const { where, expr } of exprs) {
    const { metrics, labels } = promqlNames(expr);
    assert.ok(metrics.size > 0, `${where}: no metric found in ${expr}`);
    const known = new Set<string>(FROM_PROMETHEUS.labels);
    for (const metric of metrics) {
      if (FROM_PROMETHEUS.metrics.has(metric)) continue;
      assert.ok(exposed.has(metric), `${where}: ${metric} is not on /metrics (${expr})`);
      for (const l of exposed.get(metric)!) known.add(l);
    }
    for (const label of labels) assert.ok(known.has(label), `${where}: no metric of ${expr} has the label ${label}`);
  }
});

test('the PromQL reader finds names and labels, and nothing of PromQL’s own', () => {
  const r = promqlNames(
    'histogram_quantile(0.99, sum by (front, le) (rate(kaifang_request_duration_seconds_bucket{front=~"$front",x!="a{b}"}[5m]))) > 1',
  );
  assert.deepEqual([...r.metrics], ['kaifang_request_duration_seconds_bucket']);
  assert.deepEqual([...r.labels].sort(), ['front', 'le', 'x']);
  assert.deepEqual([...promqlNames('count(count by (version) (kaifang_build_info)) > 1').metrics], ['kaifang_build_info']);
  assert.deepEqual([...promqlNames('label_values(kaifang_requests_total, front)').labels], ['front']);
});

test('kaifang ready: exit 0 once /readyz answers 200, 1 when it does not within --wait', async (t) => {
  const s = await startServer();
  t.after(() => s.close());
  const ok = await kaifang({}, ['ready', '--url', s.url, '--wait', '5']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /^ready: /);
  const port = Number(new URL(s.url).port);
  await s.close();
  const started = Date.now();
  const down = await kaifang({ KAIFANG_PORT: String(port) }, ['ready', '--wait', '1']);
  assert.equal(down.code, 1);
  assert.match(down.stderr, /\/readyz is not ready/);
  assert.ok(Date.now() - started < 15_000);
});
