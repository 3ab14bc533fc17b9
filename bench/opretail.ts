/**
 * Benchmark of a signed Opretail `/m.api` call (`open.gateway.authentication`) on the embedded
 * default (SQLite file, state in SQLite), beside the baseline of quality.md measured in the same
 * run, and again with 1,000,000 developer keys in the store.
 *
 *   npm run bench            (or: tsx bench/opretail.ts [requests] [connections])
 *
 * Every server and the load generator run as separate processes on loopback. Each request is
 * signed and unique (a `seq` business parameter), so replay protection records every one.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { opretail } from '../src/core/signing.ts';
import { formatCompact } from '../src/core/cst.ts';
import { loadConfig } from '../src/server/config.ts';
import { createKaifang } from '../src/server/kaifang.ts';
import { SecretBox } from '../src/core/secrets.ts';

const REQUESTS = Number(process.argv[2] ?? 60_000);
const CONNECTIONS = Number(process.argv[3] ?? 50);
const WARMUP = 5_000;
const MANY_KEYS = Number(process.env.BENCH_KEYS ?? 1_000_000);

interface Stats {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

const root = new URL('..', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'kaifang-bench-'));
const masterKey = randomBytes(32).toString('hex');
const env = {
  ...process.env,
  KAIFANG_DATA_DIR: dataDir,
  KAIFANG_MASTER_KEY: masterKey,
  KAIFANG_ADMIN_TOKEN: 'bench-admin-token-0123456789',
  DATABASE_URL: '',
  REDIS_URL: '',
};

function startProcess(args: string[], extraEnv: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    // The server runs compiled, as `npm start` runs it; the baseline's one file runs through tsx.
    const child = spawn(process.execPath, [...(args[0]!.endsWith('.js') ? [] : ['--import', 'tsx']), ...args], {
      cwd: root,
      env: { ...env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let seen = '';
    let listening = false;
    // Keep draining stdout after start-up (request logs) so the server never blocks on a full pipe.
    child.stdout!.on('data', (chunk: Buffer) => {
      if (listening) return;
      seen += chunk.toString();
      const m = /(?:LISTENING|kaifang listening on) (http:\/\/[\d.:]+)/.exec(seen);
      if (m) {
        listening = true;
        resolve({ child, url: m[1]! });
      }
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  await new Promise<void>((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

function load(url: string, bodies: string[]): Promise<Stats> {
  const file = join(dataDir, `bodies-${randomBytes(4).toString('hex')}.txt`);
  writeFileSync(file, bodies.join('\n'));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/load.ts', `${url}/m.api`, file, String(CONNECTIONS)], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as Stats) : reject(new Error(`load exited ${code}`))));
  });
}

function signedBodies(key: { applicationKey: string; applicationSecret: string; enterpriseId: number }, n: number, from: number): string[] {
  const out: string[] = [];
  const timestamp = formatCompact(Date.now());
  for (let i = from; i < from + n; i++) {
    const params: Record<string, string> = {
      _aid: 'S107',
      _akey: key.applicationKey,
      _mt: 'open.gateway.authentication',
      _sm: 'md5',
      _requestMode: 'post',
      _version: 'v2',
      _timestamp: timestamp,
      orgid: String(key.enterpriseId),
      seq: String(i),
    };
    params._sig = opretail.sign(params, key.applicationSecret, 'md5');
    out.push(new URLSearchParams(params).toString());
  }
  return out;
}

async function successes(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = /kaifang_requests_total\{front="opretail",endpoint="open\.gateway\.authentication",outcome="0"\} (\d+)/.exec(text);
  return m ? Number(m[1]) : 0;
}

async function runKaifang(label: string, key: Parameters<typeof signedBodies>[0], seqFrom: number) {
  const { child, url } = await startProcess(['dist/cli/main.js', 'serve', '--port', '0']);
  await load(url, signedBodies(key, WARMUP, seqFrom));
  const stats = await load(url, signedBodies(key, REQUESTS, seqFrom + WARMUP));
  const ok = (await successes(url)) - WARMUP;
  const rss = rssMb(child.pid!);
  await stop(child);
  return { label, stats, ok, rss };
}

async function runBaseline(bodies: string[]) {
  const { child, url } = await startProcess(['bench/baseline-server.ts']);
  await load(url, bodies.slice(0, WARMUP));
  const stats = await load(url, bodies);
  const rss = rssMb(child.pid!);
  await stop(child);
  return { stats, rss };
}

async function seedManyKeys(count: number): Promise<void> {
  const db = new Database(join(dataDir, 'kaifang.sqlite'));
  db.pragma('journal_mode = WAL');
  const box = new SecretBox(Buffer.from(masterKey, 'hex'));
  const insert = db.prepare(`insert into opretail_developer_keys
    (username, application_id, application_key, application_secret_sealed, keytype, expire, enterprise_id,
     shopweb_enterprise_id, switch_status, switch_time, developer_type, supplier_account, rate_per_second,
     rate_per_day, created_at, updated_at)
    values (?, 'S107', ?, ?, 1, null, ?, null, 1, ?, 2, null, null, null, ?, ?)`);
  const now = Date.now();
  const batch = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      insert.run(`bench-${i}`, `S107-b${i}`, box.seal(randomBytes(16).toString('hex')), 1000 + i, now, now, now);
    }
  });
  for (let i = 0; i < count; i += 50_000) batch(i, Math.min(count, i + 50_000));
  db.close();
}

execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
const config = loadConfig(env);
const k = await createKaifang(config);
const key = await k.opretail.keys.create({ username: 'bench', enterpriseId: 1, ratePerSecond: 1_000_000, ratePerDay: 1_000_000_000 });
await k.close();

process.stdout.write(`bench: ${REQUESTS} unique signed requests per run, ${CONNECTIONS} connections, data in ${dataDir}\n`);
const baseline1 = await runBaseline(signedBodies(key, REQUESTS, 0));
const one = await runKaifang('1 key', key, 1_000_000_000);
process.stdout.write(`seeding ${MANY_KEYS} developer keys…\n`);
await seedManyKeys(MANY_KEYS);
const baseline2 = await runBaseline(signedBodies(key, REQUESTS, 0));
const many = await runKaifang(`${MANY_KEYS} keys`, key, 2_000_000_000);

const fmt = (n: number, d = 0) => n.toFixed(d);
const rows = [
  ['run', 'req/s', 'p50 ms', 'p99 ms', 'ok replies', 'RSS MB', 'vs baseline req/s', 'p99 vs baseline'],
  ['baseline (bare Fastify + MD5)', fmt(baseline1.stats.rps), fmt(baseline1.stats.p50, 2), fmt(baseline1.stats.p99, 2), '-', fmt(baseline1.rss), '1.00', '1.00'],
  [`kaifang /m.api, ${one.label}`, fmt(one.stats.rps), fmt(one.stats.p50, 2), fmt(one.stats.p99, 2), `${one.ok}/${REQUESTS}`, fmt(one.rss), fmt(one.stats.rps / baseline1.stats.rps, 2), fmt(one.stats.p99 / Math.max(baseline1.stats.p99, 0.01), 2)],
  ['baseline (again)', fmt(baseline2.stats.rps), fmt(baseline2.stats.p50, 2), fmt(baseline2.stats.p99, 2), '-', fmt(baseline2.rss), '1.00', '1.00'],
  [`kaifang /m.api, ${many.label}`, fmt(many.stats.rps), fmt(many.stats.p50, 2), fmt(many.stats.p99, 2), `${many.ok}/${REQUESTS}`, fmt(many.rss), fmt(many.stats.rps / baseline2.stats.rps, 2), fmt(many.stats.p99 / Math.max(baseline2.stats.p99, 0.01), 2)],
];
const table = rows.map((r) => `| ${r.join(' | ')} |`);
table.splice(1, 0, `|${rows[0]!.map(() => '---').join('|')}|`);
const ratioOfRatios = many.stats.rps / baseline2.stats.rps / (one.stats.rps / baseline1.stats.rps);
const report = [
  table.join('\n'),
  '',
  `${MANY_KEYS} keys vs 1 key (each against its own baseline): ${fmt(ratioOfRatios * 100, 1)}% of the throughput`,
].join('\n');
process.stdout.write(report + '\n');
if (process.env.BENCH_RESULTS_FILE) writeFileSync(process.env.BENCH_RESULTS_FILE, report + '\n');
rmSync(dataDir, { recursive: true, force: true });
