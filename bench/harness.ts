/**
 * The wrk benchmark's machinery, shared by bench/opretail.ts, bench/weiting.ts and bench/pgredis.ts:
 * server processes, wrk runs over files of pre-built requests, the servers' own counts, CPU time
 * per call of the request thread, the event loop's delay, RSS, and rounds that alternate the
 * baseline with one or more kaifang builds so each figure is a median of paired ratios.
 *
 * Nothing is installed here: wrk must be on PATH (Debian: `apt-get install wrk`).
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { join } from 'node:path';

export const ROOT = new URL('..', import.meta.url).pathname;
const WRK_SCRIPT = join(ROOT, 'bench', 'wrk.lua');

/** Stops with a message saying how to get wrk when it is not installed. */
export function requireWrk(): void {
  const found = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  if (found.error) {
    process.stderr.write(
      'bench: wrk is not installed. The benchmark measures with wrk (C, one thread) so that the load generator takes\n' +
        "little of this machine's CPU. Install it with your package manager, e.g. on Debian or Ubuntu:\n\n" +
        '    sudo apt-get install wrk\n\n' +
        '(the autocannon benchmark of earlier runs is still there: npm run bench:autocannon)\n',
    );
    process.exit(2);
  }
}

/** A kaifang build to measure: a directory holding `dist/` (compiled) and a `node_modules` to resolve from. */
export interface Variant {
  name: string;
  dir: string;
  /** Node flags this build runs with besides `npm start`'s (an A/B of a flag). */
  nodeArgs?: string[];
  /** Environment this build runs with besides `npm start`'s (an A/B of a setting). */
  env?: Record<string, string>;
}

/**
 * BENCH_VARIANTS="A=/tmp/kf-a,B=/tmp/kf-b,C=/tmp/kf-b@--single-threaded-gc MALLOC_ARENA_MAX=16"
 * (each dir built with `npm run build`; after `@`, separated by spaces, extra node flags and
 * NAME=value settings of the environment), else this checkout as "kaifang".
 */
export function variantsFromEnv(): Variant[] {
  const spec = process.env.BENCH_VARIANTS;
  if (!spec) return [{ name: 'kaifang', dir: ROOT }];
  return spec.split(',').map((part) => {
    // The name ends at the first '=' and the directory at the first '@': the flags may hold both.
    const [, name, dir, flags] = /^([^=]*)=([^@]*)(?:@(.*))?$/.exec(part) ?? [];
    if (!name || !dir || !existsSync(join(dir, 'dist', 'cli', 'main.js')))
      throw new Error(`BENCH_VARIANTS: "${part}" is not name=dir[@flags] with dir/dist/cli/main.js`);
    const words = (flags ?? '').split(' ').filter(Boolean);
    const settings = words.filter((w) => /^[A-Z_][A-Z0-9_]*=/.test(w));
    const nodeArgs = words.filter((w) => !settings.includes(w));
    return {
      name,
      dir,
      ...(nodeArgs.length ? { nodeArgs } : {}),
      ...(settings.length
        ? { env: Object.fromEntries(settings.map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)])) }
        : {}),
    };
  });
}

/**
 * The machine a run measured on, for its report: runs of different sessions landed on different
 * hosts, and a ratio is read beside the hour and machine it came from.
 */
export function machineLine(): string {
  const cores = cpus();
  // A VM's cores often report 0 MHz to Node; /proc/cpuinfo still has the clock and the cache.
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  const mhz = cores[0]?.speed || Math.round(Number(/^cpu MHz\s*:\s*([\d.]+)/m.exec(cpuinfo)?.[1] ?? 0));
  const cache = /^cache size\s*:\s*(.+)$/m.exec(cpuinfo)?.[1];
  return (
    `Machine: ${cores.length} × ${cores[0]?.model.trim() ?? 'unknown CPU'} at ${mhz || '?'} MHz` +
    `${cache ? `, cache ${cache}` : ''}, Linux ${release()}, Node ${process.version}; started ${new Date().toISOString().slice(0, 16)}Z.`
  );
}

export function buildRoot(): void {
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
}

/**
 * The environment `npm start` gives kaifang's process (package.json) where the caller's sets none
 * of it, as its `${MALLOC_ARENA_MAX:-2}` does.
 */
export const KAIFANG_ENV = { MALLOC_ARENA_MAX: '2' };

/** Starts one kaifang build as `npm start` would, with its variant's extra flags and settings. */
export const startKaifang = (v: Variant, nodeArgs: string[], env: NodeJS.ProcessEnv) =>
  startProcess(kaifangArgs([...nodeArgs, ...(v.nodeArgs ?? [])]), v.dir, { ...KAIFANG_ENV, ...env, ...v.env });

/** kaifang's command line as `npm start` runs it (package.json), on an OS-chosen port. */
export const kaifangArgs = (nodeArgs: string[] = []) => [
  '--max-semi-space-size=8',
  '--single-threaded-gc',
  ...nodeArgs,
  'dist/cli/main.js',
  'serve',
  '--port',
  '0',
];

export interface Running {
  child: ChildProcess;
  url: string;
  pid: number;
}

/** Starts `node args…` in `cwd` and waits for the line saying where it listens. */
export function startProcess(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Running> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let seen = '';
    let listening = false;
    // Keep draining stdout after start-up (the access log) so the server never blocks on a full pipe.
    child.stdout!.on('data', (chunk: Buffer) => {
      if (listening) return;
      seen += chunk.toString();
      const m = /(?:LISTENING|kaifang listening on) (http:\/\/[\d.:]+)/.exec(seen);
      if (m) {
        listening = true;
        resolve({ child, url: m[1]!, pid: child.pid! });
      }
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code} before listening`)));
  });
}

export async function stopProcess(r: Running): Promise<void> {
  if (r.child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    r.child.removeAllListeners('exit');
    r.child.once('exit', () => resolve());
    r.child.kill('SIGTERM');
  });
}

export function rssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
}

const TICK_US = 1e6 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim() || '100');

/** utime + stime of a process (all its threads) or of one thread, µs. */
export function cpuUs(pid: number, tid?: number): number {
  const file = tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`;
  const f = readFileSync(file, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) * TICK_US;
}

/**
 * The machine's CPU time so far, all cores, in clock ticks: in all, and stolen (time the
 * hypervisor ran something else while this VM's CPUs wanted to run). Steal is read per run
 * because it moves a shared VM's figures from hour to hour, and the baseline's less than kaifang's.
 */
export function machineTicks(): { total: number; steal: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already in user and nice).
  return { total: cpu.slice(0, 8).reduce((a, b) => a + b, 0), steal: cpu[7] ?? 0 };
}

/** CPU time of every process whose command name is one of `names` (the databases), µs. */
export function cpuOfCommands(names: string[]): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      if (names.some((n) => comm.startsWith(n))) total += cpuUs(Number(entry));
    } catch {
      /* gone */
    }
  }
  return total;
}

/** Prometheus text → `name{labels}` → value. */
export async function scrape(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const sp = line.lastIndexOf(' ');
    out.set(line.slice(0, sp), Number(line.slice(sp + 1)));
  }
  return out;
}

/** Sum of every series of `name` whose labels include all of `labels` (e.g. `front="opretail"`). */
export function sumOf(m: Map<string, number>, name: string, ...labels: string[]): number {
  let total = 0;
  for (const [k, v] of m) {
    if (!(k === name || k.startsWith(name + '{'))) continue;
    if (labels.every((l) => k.includes(l))) total += v;
  }
  return total;
}

export interface WrkResult {
  sent: number;
  wrapped: number;
  completed: number;
  durationUs: number;
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
  latencyUs: { p50: number; p90: number; p99: number; max: number; mean: number };
  /** CPU time of wrk itself, µs (a gauge of how much of the machine the load generator took). */
  wrkCpuUs: number;
}

export interface WrkOptions {
  file: string;
  method: 'GET' | 'POST';
  contentType?: string;
  connections: number;
  durationS: number;
}

/** One wrk run (its own process, one thread) over the requests in `file`. */
export function runWrk(url: string, o: WrkOptions): Promise<WrkResult> {
  return new Promise((resolve, reject) => {
    // bash's `times` prints the CPU time of its children: wrk's own.
    const cmd = `wrk -t1 -c${o.connections} -d${o.durationS}s --timeout 30s -s ${WRK_SCRIPT} ${url}; s=$?; times; exit $s`;
    const child = spawn('bash', ['-c', cmd], {
      env: { ...process.env, WRK_REQUESTS: o.file, WRK_METHOD: o.method, WRK_CONTENT_TYPE: o.contentType ?? '' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => {
      const m = /WRK_RESULT (\{.*\})/.exec(out);
      if (code !== 0 || !m) return reject(new Error(`wrk failed (${code}):\n${out}`));
      const result = JSON.parse(m[1]!) as Omit<WrkResult, 'wrkCpuUs'>;
      // `times`: the shell's own line, then its children's: "0m1.234s 0m0.567s".
      const t =
        out
          .trim()
          .split('\n')
          .slice(-1)[0]!
          .match(/(\d+)m([\d.]+)s/g) ?? [];
      const secs = t.map((x) => {
        const [, mm, ss] = /(\d+)m([\d.]+)s/.exec(x)!;
        return Number(mm) * 60 + Number(ss);
      });
      resolve({ ...result, wrkCpuUs: (secs[0]! + secs[1]!) * 1e6 });
    });
  });
}

/** Writes request lines (`path` or `path\tbody`) to `file`. */
export function writeRequests(file: string, lines: string[]): string {
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What a server says about itself: the calls it answered, the event loop's delay, GC. */
export interface ServerCounts {
  /** Calls answered with the expected success. */
  ok: number;
  /** Every call of the measured endpoint, whatever its outcome. */
  total: number;
  eldP99Ms: number;
  eldMaxMs: number;
  gcMs: number;
}

/** How the benchmark reads a server's counts (kaifang: /metrics; the baseline: its /__stats). */
export type Counter = (url: string) => Promise<ServerCounts>;

export function kaifangCounter(front: string, endpoint: string, okOutcome: string): Counter {
  return async (url) => {
    const m = await scrape(url);
    return {
      ok: sumOf(m, 'kaifang_requests_total', `front="${front}"`, `endpoint="${endpoint}"`, `outcome="${okOutcome}"`),
      total: sumOf(m, 'kaifang_requests_total', `front="${front}"`),
      eldP99Ms: (m.get('kaifang_event_loop_delay_p99_seconds') ?? NaN) * 1000,
      eldMaxMs: (m.get('kaifang_event_loop_delay_max_seconds') ?? NaN) * 1000,
      gcMs: sumOf(m, 'kaifang_nodejs_gc_duration_seconds_sum') * 1000,
    };
  };
}

export const baselineCounter: Counter = async (url) => {
  const s = (await (await fetch(`${url}/__stats`)).json()) as { served: number; eldP99Ms: number; eldMaxMs: number; gcMs: number };
  return { ok: s.served, total: s.served, eldP99Ms: s.eldP99Ms, eldMaxMs: s.eldMaxMs, gcMs: s.gcMs };
};

/** Waits until the server has answered what wrk left in flight (its count stops moving). */
async function settle(processes: Running[], count: Counter): Promise<ServerCounts[]> {
  let last = await Promise.all(processes.map((p) => count(p.url)));
  for (let i = 0; i < 50; i++) {
    await sleep(100);
    const now = await Promise.all(processes.map((p) => count(p.url)));
    if (now.every((c, j) => c.total === last[j]!.total)) return now;
    last = now;
  }
  return last;
}

/** One measured run of one target: throughput, latency, the check of every reply, CPU, delay, RSS. */
export interface Measured {
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Requests wrk sent (completed + in flight when it stopped). */
  sent: number;
  completed: number;
  /** Successes counted by the server(s) during the run. */
  ok: number;
  /** Calls counted by the server(s) that were not the expected success (should be 0). */
  bad: number;
  /** wrk: non-2xx replies, socket errors, timeouts; wrapped = the request file ran out. */
  wrkErrors: number;
  wrapped: number;
  /** ok === every call counted, within [completed, sent], nothing wrapped, no wrk error. */
  checked: boolean;
  /** CPU µs per call: request thread(s), whole process(es), wrk, the databases (when measured). */
  mainCpuUs: number;
  procCpuUs: number;
  wrkCpuUs: number;
  dbCpuUs: number;
  eldP99Ms: number;
  eldMaxMs: number;
  gcMsPerS: number;
  rssMb: number;
  /**
   * The share of the run the request thread was on a CPU (its CPU time over the run's time; per
   * process, the mean). Below 1, calls waited with the thread off the CPU: for another thread of
   * the process, for the machine, or for replies from elsewhere.
   */
  onCpuShare: number;
  /** Of the machine's CPU time during the run, the percentage the hypervisor stole. */
  stealPct: number;
}

export interface RunPlan {
  /** The request file of each process (one per process; each gets its own wrk). */
  files: string[];
  method: 'GET' | 'POST';
  contentType?: string;
  connections: number;
  durationS: number;
  count: Counter;
  /** Command names whose CPU is measured as the databases' (e.g. postgres, redis-server). */
  dbCommands?: string[];
}

/** One measured run against `processes` (one wrk per process, all at once). */
export async function measure(processes: Running[], plan: RunPlan): Promise<Measured> {
  const before = await settle(processes, plan.count); // also starts a new event-loop delay window
  const main0 = processes.map((p) => cpuUs(p.pid, p.pid));
  const proc0 = processes.map((p) => cpuUs(p.pid));
  const db0 = plan.dbCommands ? cpuOfCommands(plan.dbCommands) : 0;
  const machine0 = machineTicks();
  const runs = await Promise.all(
    processes.map((p, i) =>
      runWrk(p.url, {
        file: plan.files[i]!,
        method: plan.method,
        ...(plan.contentType ? { contentType: plan.contentType } : {}),
        connections: plan.connections,
        durationS: plan.durationS,
      }),
    ),
  );
  const mainUs = processes.reduce((s, p, i) => s + cpuUs(p.pid, p.pid) - main0[i]!, 0);
  const procUs = processes.reduce((s, p, i) => s + cpuUs(p.pid) - proc0[i]!, 0);
  const dbUs = plan.dbCommands ? cpuOfCommands(plan.dbCommands) - db0 : 0;
  const machine1 = machineTicks();
  // Read at once: the event-loop delay window is the run's (every read starts a new one).
  const delay = await Promise.all(processes.map((p) => plan.count(p.url)));
  const after = await settle(processes, plan.count);
  const ok = after.reduce((s, c, i) => s + c.ok - before[i]!.ok, 0);
  const total = after.reduce((s, c, i) => s + c.total - before[i]!.total, 0);
  const sent = runs.reduce((s, r) => s + r.sent, 0);
  const completed = runs.reduce((s, r) => s + r.completed, 0);
  const wrkErrors = runs.reduce((s, r) => s + r.errors.connect + r.errors.read + r.errors.write + r.errors.status + r.errors.timeout, 0);
  const wrapped = runs.reduce((s, r) => s + r.wrapped, 0);
  const seconds = Math.max(...runs.map((r) => r.durationUs)) / 1e6;
  const worst = (f: (r: WrkResult) => number) => Math.max(...runs.map(f)) / 1000;
  return {
    rps: completed / seconds,
    p50: worst((r) => r.latencyUs.p50),
    p90: worst((r) => r.latencyUs.p90),
    p99: worst((r) => r.latencyUs.p99),
    max: worst((r) => r.latencyUs.max),
    sent,
    completed,
    ok,
    bad: total - ok,
    wrkErrors,
    wrapped,
    checked: ok === total && ok >= completed && ok <= sent && wrapped === 0 && wrkErrors === 0,
    mainCpuUs: mainUs / Math.max(ok, 1),
    procCpuUs: procUs / Math.max(ok, 1),
    wrkCpuUs: runs.reduce((s, r) => s + r.wrkCpuUs, 0) / Math.max(completed, 1),
    dbCpuUs: dbUs / Math.max(ok, 1),
    eldP99Ms: Math.max(...delay.map((c) => c.eldP99Ms)),
    eldMaxMs: Math.max(...delay.map((c) => c.eldMaxMs)),
    gcMsPerS: after.reduce((s, c, i) => s + c.gcMs - before[i]!.gcMs, 0) / seconds / processes.length,
    rssMb: Math.max(...processes.map((p) => rssMb(p.pid))),
    onCpuShare: mainUs / (seconds * 1e6) / processes.length,
    stealPct: (100 * (machine1.steal - machine0.steal)) / Math.max(machine1.total - machine0.total, 1),
  };
}

export const median = (xs: number[]): number => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export const fmt = (n: number, d = 0): string => (Number.isFinite(n) ? n.toFixed(d) : '–');

/** A markdown table. */
export function table(header: string[], rows: string[][]): string[] {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

/** One round's figures: the baseline's and each kaifang build's, measured one after the other. */
export interface Round {
  round: number;
  baseline: Measured;
  kaifang: Record<string, Measured>;
}

export function roundRows(rounds: Round[], variant: string): string[][] {
  return rounds.map(({ round, baseline: b, kaifang }) => {
    const k = kaifang[variant]!;
    return [
      String(round),
      fmt(b.rps),
      fmt(k.rps),
      fmt(k.rps / b.rps, 2),
      `${fmt(b.p50, 1)} / ${fmt(b.p90, 1)} / ${fmt(b.p99, 1)} / ${fmt(b.max)}`,
      `${fmt(k.p50, 1)} / ${fmt(k.p90, 1)} / ${fmt(k.p99, 1)} / ${fmt(k.max)}`,
      fmt(k.p99 / b.p99, 2),
      `${fmt(b.mainCpuUs)} / ${fmt(k.mainCpuUs)}`,
      `${fmt(b.eldP99Ms, 1)}, ${fmt(b.eldMaxMs, 1)} / ${fmt(k.eldP99Ms, 1)}, ${fmt(k.eldMaxMs, 1)}`,
      `${k.ok}/${k.sent}${k.checked ? '' : ` **unchecked: bad ${k.bad}, wrk errors ${k.wrkErrors}, wrapped ${k.wrapped}**`}`,
      `${fmt(b.rssMb)} / ${fmt(k.rssMb)}`,
      `${fmt(b.onCpuShare, 2)} / ${fmt(k.onCpuShare, 2)}`,
      `${fmt(b.stealPct, 1)} / ${fmt(k.stealPct, 1)}`,
    ];
  });
}

export const ROUND_HEADER = [
  'round',
  'baseline req/s',
  'kaifang req/s',
  'ratio',
  'baseline p50/p90/p99/max ms',
  'kaifang p50/p90/p99/max ms',
  'p99 ratio',
  'request-thread CPU µs/call (baseline / kaifang)',
  'event-loop delay p99, max ms (baseline / kaifang)',
  'ok replies / sent',
  'RSS MB (baseline / kaifang)',
  'request thread on CPU (baseline / kaifang)',
  'CPU steal % (baseline / kaifang)',
];

/** Medians over the rounds for one kaifang build. */
export function summary(rounds: Round[], variant: string) {
  const ks = rounds.map((r) => r.kaifang[variant]!);
  return {
    ratio: median(rounds.map((r) => r.kaifang[variant]!.rps / r.baseline.rps)),
    p99Ratio: median(rounds.map((r) => r.kaifang[variant]!.p99 / r.baseline.p99)),
    // Paired within each round, as the throughput: CPU per call moves less with the hour than req/s.
    cpuRatio: median(rounds.map((r) => r.kaifang[variant]!.mainCpuUs / r.baseline.mainCpuUs)),
    eldMaxRatio: median(rounds.map((r) => r.kaifang[variant]!.eldMaxMs / r.baseline.eldMaxMs)),
    rps: median(ks.map((k) => k.rps)),
    baselineRps: median(rounds.map((r) => r.baseline.rps)),
    p50: median(ks.map((k) => k.p50)),
    p90: median(ks.map((k) => k.p90)),
    p99: median(ks.map((k) => k.p99)),
    max: median(ks.map((k) => k.max)),
    maxOfMax: Math.max(...ks.map((k) => k.max)),
    baselineP99: median(rounds.map((r) => r.baseline.p99)),
    mainCpuUs: median(ks.map((k) => k.mainCpuUs)),
    procCpuUs: median(ks.map((k) => k.procCpuUs)),
    baselineCpuUs: median(rounds.map((r) => r.baseline.mainCpuUs)),
    dbCpuUs: median(ks.map((k) => k.dbCpuUs)),
    eldP99Ms: median(ks.map((k) => k.eldP99Ms)),
    eldMaxMs: median(ks.map((k) => k.eldMaxMs)),
    eldMaxOfMax: Math.max(...ks.map((k) => k.eldMaxMs)),
    baselineEldMax: median(rounds.map((r) => r.baseline.eldMaxMs)),
    gcMsPerS: median(ks.map((k) => k.gcMsPerS)),
    rssEnd: ks[ks.length - 1]!.rssMb,
    rssMax: Math.max(...ks.map((k) => k.rssMb)),
    wrkCpuUs: median(ks.map((k) => k.wrkCpuUs)),
    onCpuShare: median(ks.map((k) => k.onCpuShare)),
    baselineOnCpuShare: median(rounds.map((r) => r.baseline.onCpuShare)),
    stealPct: median([...ks, ...rounds.map((r) => r.baseline)].map((m) => m.stealPct)),
    allChecked: ks.every((k) => k.checked) && rounds.every((r) => r.baseline.checked),
  };
}

/** The order of the kaifang builds in round `round`: rotated, so no build always runs right after the baseline. */
export function rotation<T>(items: T[], round: number): T[] {
  const k = (round - 1) % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/** With two or more builds: each build's ratio to the first, paired within each round, as medians. */
export function abRows(rounds: Round[], variants: string[]): string[] {
  if (variants.length < 2) return [];
  const a = variants[0]!;
  const rows = variants.slice(1).map((v) => {
    const per = rounds.map((r) => r.kaifang[v]!.rps / r.kaifang[a]!.rps);
    const cpu = rounds.map((r) => r.kaifang[v]!.mainCpuUs - r.kaifang[a]!.mainCpuUs);
    const p99 = rounds.map((r) => r.kaifang[v]!.p99 / r.kaifang[a]!.p99);
    return [
      `${v} / ${a}`,
      fmt(median(per), 3),
      per.map((x) => fmt(x, 2)).join(', '),
      fmt(median(p99), 2),
      `${fmt(median(cpu), 1)}`,
      `${fmt(summary(rounds, a).eldMaxMs, 1)} → ${fmt(summary(rounds, v).eldMaxMs, 1)}`,
    ];
  });
  return table(
    [
      'A/B',
      'throughput ratio (median)',
      'per round',
      'p99 ratio (median)',
      'Δ request-thread CPU µs/call (median)',
      'median event-loop max ms',
    ],
    rows,
  );
}

export type Summary = ReturnType<typeof summary>;
/** One row of the medians table: its name, and its cell for one column's summary. */
export type MedianRow = readonly [name: string, cell: (s: Summary) => string];

/** The rows every benchmark reports, by name, to pick from (a benchmark may add its own). */
export const MEDIAN_ROWS = {
  ratio: ['throughput, kaifang / baseline', (s) => fmt(s.ratio, 2)],
  p99Ratio: ['p99, kaifang / baseline', (s) => fmt(s.p99Ratio, 2)],
  cpuRatio: ['request-thread CPU per call, kaifang / baseline', (s) => fmt(s.cpuRatio, 2)],
  eldRatio: ['longest event-loop delay, kaifang / baseline', (s) => fmt(s.eldMaxRatio, 2)],
  rps: ['kaifang req/s (baseline req/s)', (s) => `${fmt(s.rps)} (${fmt(s.baselineRps)})`],
  latency: ['kaifang p50 / p90 / p99 / max ms', (s) => `${fmt(s.p50, 1)} / ${fmt(s.p90, 1)} / ${fmt(s.p99, 1)} / ${fmt(s.max)}`],
  baselineP99: ['baseline p99 ms', (s) => fmt(s.baselineP99, 1)],
  cpu: ['request-thread CPU µs per call (baseline)', (s) => `${fmt(s.mainCpuUs)} (${fmt(s.baselineCpuUs)})`],
  procCpu: ['whole-process CPU µs per call', (s) => fmt(s.procCpuUs)],
  dbCpu: ['postgres + redis-server CPU µs per call', (s) => fmt(s.dbCpuUs)],
  gc: ['GC ms per s', (s) => fmt(s.gcMsPerS, 1)],
  eventLoop: [
    'event-loop delay p99 / max ms (max of rounds)',
    (s) => `${fmt(s.eldP99Ms, 1)} / ${fmt(s.eldMaxMs, 1)} (${fmt(s.eldMaxOfMax, 1)})`,
  ],
  rss: ['RSS MB at the end (max)', (s) => `${fmt(s.rssEnd)} (${fmt(s.rssMax)})`],
  wrkCpu: ['wrk CPU µs per request', (s) => fmt(s.wrkCpuUs, 1)],
  onCpu: ['request thread on CPU, share of the run (baseline)', (s) => `${fmt(s.onCpuShare, 2)} (${fmt(s.baselineOnCpuShare, 2)})`],
  steal: ['CPU steal % of the machine (kaifang and baseline runs)', (s) => fmt(s.stealPct, 1)],
  checked: ['every reply checked', (s) => (s.allChecked ? 'yes' : '**NO**')],
} satisfies Record<string, MedianRow>;

const M = MEDIAN_ROWS;
/** The medians every single-process benchmark shows, in order. */
export const STANDARD_MEDIANS: MedianRow[] = [
  M.ratio,
  M.p99Ratio,
  M.cpuRatio,
  M.eldRatio,
  M.rps,
  M.latency,
  M.baselineP99,
  M.cpu,
  M.procCpu,
  M.gc,
  M.eventLoop,
  M.rss,
  M.wrkCpu,
  M.onCpu,
  M.steal,
  M.checked,
];

/** "Medians of the rounds": one column per (label, summary), one line per row. */
export function mediansSection(
  cols: readonly (readonly [label: string, s: Summary])[],
  rows: readonly MedianRow[] = STANDARD_MEDIANS,
): string[] {
  return [
    '#### Medians of the rounds',
    '',
    ...table(
      ['figure', ...cols.map(([label]) => label)],
      rows.map(([name, cell]) => [name, ...cols.map(([, s]) => cell(s))]),
    ),
    '',
  ];
}

/** Starts one process, warms it up for `warmupS` with `plan`, measures `plan`, and stops it. */
export async function measureProcess(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  plan: RunPlan,
  warmupS: number,
): Promise<Measured> {
  const p = await startProcess(args, cwd, env);
  try {
    await measure([p], { ...plan, durationS: warmupS });
    return await measure([p], plan);
  } finally {
    await stopProcess(p);
  }
}

/** The bare-Fastify baseline (bench/baseline-server.ts) as `measureProcess` runs it. */
export const BASELINE_ARGS = ['--import', 'tsx', 'bench/baseline-server.ts'];

/** One run in a progress line: throughput, p99 and the check of every reply. */
export const brief = (m: Measured): string =>
  `${m.rps.toFixed(0)} req/s p99 ${m.p99.toFixed(1)} ms ok ${m.ok}/${m.sent}${m.checked ? '' : ` UNCHECKED${m.wrapped ? ' (the request file ran out: raise BENCH_MAX_RPS)' : ''}`}`;

/**
 * A schema and a Redis key prefix of one run's own on PostgreSQL + Redis (`KAIFANG_DB_SCHEMA`,
 * `KAIFANG_REDIS_PREFIX` for its servers), and `drop` to remove both after it: a run leaves
 * neither call-log rows nor a million replay ids in Redis (kept there for their TTL) in the way
 * of the next run.
 */
export function scratchBackends(
  databaseUrl: string,
  redisUrl: string,
  tag: string,
): { env: { KAIFANG_DB_SCHEMA: string; KAIFANG_REDIS_PREFIX: string }; drop(): Promise<void> } {
  const schema = `bench_${tag}`;
  const prefix = `kaifang-bench-${tag}:`;
  return {
    env: { KAIFANG_DB_SCHEMA: schema, KAIFANG_REDIS_PREFIX: prefix },
    async drop() {
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
      const { Redis } = await import('ioredis');
      const redis = new Redis(redisUrl);
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length) await redis.del(...keys);
      } while (cursor !== '0');
      redis.disconnect();
    },
  };
}
