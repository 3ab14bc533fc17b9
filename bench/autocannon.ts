/**
 * Benchmark of a signed Opretail `/m.api` call (`open.gateway.authentication`) on the embedded
 * default (SQLite file, state in SQLite), beside the baseline of quality.md measured in the same
 * run, and again with 1,000,000 developer keys in the store.
 *
 *   npm run bench:autocannon (or: tsx bench/autocannon.ts [requests] [connections]; BENCH_ROUNDS, BENCH_KEYS)
 *
 * History: the benchmark of record until issue 9; autocannon, a Node load generator, takes most of a
 * core on a 2-core machine and flatters the ratio. `npm run bench` (bench/opretail.ts, wrk) replaced it.
 *
 * Every server and the load generator run as separate processes on loopback. Each request is
 * signed and unique (a `seq` business parameter), so replay protection records every one.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig } from '../src/server/config.ts';
import { createKaifang } from '../src/server/kaifang.ts';
import { SecretBox } from '../src/kernel/secrets.ts';
import { KAIFANG_ENV, ROOT, rssMb, startProcess, stopProcess } from './harness.ts';
import { BASELINE_SERVE, KAIFANG_SERVE, runLoad, signedBodies, type Stats } from './processes.ts';
import type { SigningKey } from './scenarios.ts';

const REQUESTS = Number(process.argv[2] ?? 60_000);
const CONNECTIONS = Number(process.argv[3] ?? 50);
const WARMUP = 5_000;
const MANY_KEYS = Number(process.env.BENCH_KEYS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

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

const load = (url: string, bodies: string[]) => runLoad(url, bodies, dataDir, CONNECTIONS);

async function successes(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = /kaifang_requests_total\{front="opretail",endpoint="open\.gateway\.authentication",outcome="0"\} (\d+)/.exec(text);
  return m ? Number(m[1]) : 0;
}

async function runKaifang(label: string, key: SigningKey, seqFrom: number) {
  const server = await startProcess(KAIFANG_SERVE, ROOT, { ...KAIFANG_ENV, ...env });
  const { url } = server;
  await load(url, signedBodies(key, WARMUP, seqFrom));
  const stats = await load(url, signedBodies(key, REQUESTS, seqFrom + WARMUP));
  const ok = (await successes(url)) - WARMUP;
  const rss = rssMb(server.pid);
  await stopProcess(server);
  return { label, stats, ok, rss };
}

async function runBaseline(bodies: string[]) {
  const server = await startProcess(BASELINE_SERVE, ROOT, env);
  const { url } = server;
  await load(url, bodies.slice(0, WARMUP));
  const stats = await load(url, bodies);
  const rss = rssMb(server.pid);
  await stopProcess(server);
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

execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
const config = loadConfig(env);
const k = await createKaifang(config);
const key = await k.fronts.opretail.keys.create({
  username: 'bench',
  enterpriseId: 1,
  ratePerSecond: 1_000_000,
  ratePerDay: 1_000_000_000,
});
await k.close();

process.stdout.write(
  `bench: ${ROUNDS} rounds of ${REQUESTS} unique signed requests per run, ${CONNECTIONS} connections, data in ${dataDir}\n`,
);

interface Pair {
  round: number;
  baseline: { stats: Stats; rss: number };
  kaifang: Awaited<ReturnType<typeof runKaifang>>;
}

/**
 * Baseline and kaifang alternate, ROUNDS times: this machine's speed drifts by tens of percent
 * from one minute to the next, so each kaifang run is compared with the baseline run just before
 * it, and the median of those ratios is the figure.
 */
async function rounds(label: string, seqBase: number): Promise<Pair[]> {
  const pairs: Pair[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const baseline = await runBaseline(signedBodies(key, REQUESTS, 0));
    const kaifang = await runKaifang(label, key, seqBase + round * 10_000_000);
    pairs.push({ round, baseline, kaifang });
    process.stdout.write(
      `  ${label}, round ${round}: baseline ${baseline.stats.rps.toFixed(0)} req/s, kaifang ${kaifang.stats.rps.toFixed(0)} req/s\n`,
    );
  }
  return pairs;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const fmt = (n: number, d = 0) => n.toFixed(d);

function table(pairs: Pair[]): string[] {
  const rows = [
    [
      'round',
      'baseline req/s',
      'kaifang req/s',
      'ratio',
      'baseline p50/p99 ms',
      'kaifang p50/p99 ms',
      'p99 ratio',
      'ok replies',
      'RSS MB (baseline, kaifang)',
    ],
  ];
  for (const { round, baseline: b, kaifang: k } of pairs) {
    rows.push([
      String(round),
      fmt(b.stats.rps),
      fmt(k.stats.rps),
      fmt(k.stats.rps / b.stats.rps, 2),
      `${fmt(b.stats.p50)} / ${fmt(b.stats.p99)}`,
      `${fmt(k.stats.p50)} / ${fmt(k.stats.p99)}`,
      fmt(k.stats.p99 / Math.max(b.stats.p99, 0.01), 2),
      `${k.ok}/${REQUESTS}`,
      `${fmt(b.rss)}, ${fmt(k.rss)}`,
    ]);
  }
  const lines = rows.map((r) => `| ${r.join(' | ')} |`);
  lines.splice(1, 0, `|${rows[0]!.map(() => '---').join('|')}|`);
  return lines;
}

const ratio = (pairs: Pair[]) => median(pairs.map((p) => p.kaifang.stats.rps / p.baseline.stats.rps));
const p99Ratio = (pairs: Pair[]) => median(pairs.map((p) => p.kaifang.stats.p99 / Math.max(p.baseline.stats.p99, 0.01)));
const p99 = (pairs: Pair[]) => median(pairs.map((p) => p.kaifang.stats.p99));
const maxRss = (pairs: Pair[]) => Math.max(...pairs.map((p) => p.kaifang.rss));

const one = await rounds('1 key', 1_000_000_000);
process.stdout.write(`seeding ${MANY_KEYS} developer keys…\n`);
await seedManyKeys(MANY_KEYS);
const many = await rounds(`${MANY_KEYS} keys`, 2_000_000_000);

const report = [
  `### kaifang /m.api with 1 key, against the baseline`,
  '',
  ...table(one),
  '',
  `### kaifang /m.api with ${MANY_KEYS} developer keys in the store, against the baseline`,
  '',
  ...table(many),
  '',
  '| figure (medians of the rounds) | 1 key | ' + `${MANY_KEYS} keys |`,
  '|---|---|---|',
  `| throughput, kaifang / baseline | ${fmt(ratio(one), 2)} | ${fmt(ratio(many), 2)} |`,
  `| p99, kaifang / baseline | ${fmt(p99Ratio(one), 2)} | ${fmt(p99Ratio(many), 2)} |`,
  `| kaifang p99 ms | ${fmt(p99(one))} | ${fmt(p99(many))} |`,
  `| kaifang RSS at the end of a run, MB (max) | ${fmt(maxRss(one))} | ${fmt(maxRss(many))} |`,
  '',
  `${MANY_KEYS} keys vs 1 key (each against its own baseline): ${fmt((ratio(many) / ratio(one)) * 100, 1)}% of the throughput`,
].join('\n');
process.stdout.write(report + '\n');
if (process.env.BENCH_RESULTS_FILE) writeFileSync(process.env.BENCH_RESULTS_FILE, report + '\n');
rmSync(dataDir, { recursive: true, force: true });
