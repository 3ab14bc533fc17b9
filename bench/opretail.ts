/**
 * The benchmark of record (issue 9, quality.md): a signed Opretail `/m.api` call
 * (`open.gateway.authentication`) on the embedded default (SQLite file, state in SQLite, request
 * logging, call log, metrics all on), beside the baseline (bare Fastify: the same form body parsed,
 * one MD5) measured in the same run, with 1 developer key and again with 1,000,000.
 *
 *   npm run bench        (wrk must be installed: Debian `apt-get install wrk`)
 *
 * wrk runs as its own process, one thread, 50 connections, over a file of pre-signed unique
 * requests (bench/wrk.lua); every reply is checked against the server's own count of successes.
 * Each round runs the baseline, then each kaifang build, each a fresh process with a warm-up;
 * figures are medians over the rounds of the per-round ratios. Settings (environment):
 * BENCH_ROUNDS (5), BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (3), BENCH_CONNECTIONS (50),
 * BENCH_MAX_RPS (80000: requests a file holds per second of a run; a run that empties its file
 * fails the reply check), BENCH_KEYS (1000000; 0 skips), BENCH_VARIANTS ("A=dir,B=dir": builds to compare, A/B),
 * BENCH_NODE_ARGS (extra node flags for kaifang, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"),
 * BENCH_RESULTS_FILE (markdown), BENCH_JSON_FILE (every figure).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SecretBox } from '../src/kernel/secrets.ts';
import { loadConfig } from '../src/server/config.ts';
import { createKaifang } from '../src/server/kaifang.ts';
import {
  abRows,
  buildRoot,
  fmt,
  mediansSection,
  requireWrk,
  ROUND_HEADER,
  roundRows,
  summary,
  table,
  variantsFromEnv,
  type Round,
  machineLine,
} from './harness.ts';
import { gatewayRounds, knobsFromEnv } from './scenarios.ts';

requireWrk();
const knobs = knobsFromEnv();
const MANY_KEYS = Number(process.env.BENCH_KEYS ?? 1_000_000);
const variants = variantsFromEnv();
const log = (line: string) => process.stdout.write(line + '\n');

const dataDir = mkdtempSync(join(tmpdir(), 'kaifang-bench-'));
const masterKey = randomBytes(32).toString('hex');
const env: NodeJS.ProcessEnv = {
  ...process.env,
  KAIFANG_DATA_DIR: dataDir,
  KAIFANG_MASTER_KEY: masterKey,
  KAIFANG_ADMIN_TOKEN: 'bench-admin-token-0123456789',
  DATABASE_URL: '',
  REDIS_URL: '',
};

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
    for (let i = from; i < to; i++)
      insert.run(`bench-${i}`, `S107-b${i}`, box.seal(randomBytes(16).toString('hex')), 1000 + i, now, now, now);
  });
  for (let i = 0; i < count; i += 50_000) batch(i, Math.min(count, i + 50_000));
  db.close();
}

if (variants.some((v) => v.name === 'kaifang')) buildRoot();
const k = await createKaifang(loadConfig(env));
const key = await k.fronts.opretail.keys.create({
  username: 'bench',
  enterpriseId: 1,
  ratePerSecond: 1_000_000,
  ratePerDay: 1_000_000_000,
});
await k.close();

const startedOn = machineLine();
log(startedOn);
log(
  `bench: ${knobs.rounds} rounds; each run ${knobs.seconds} s after a ${knobs.warmupSeconds} s warm-up, wrk 1 thread ${knobs.connections} connections; ` +
    `kaifang builds: ${variants.map((v) => `${v.name} (${v.dir})`).join(', ')}; data in ${dataDir}`,
);
const scenario = { key, variants, env, processes: 1, scratch: dataDir, knobs, log };
const one = await gatewayRounds({ ...scenario, label: '1 key' });
let many: Round[] = [];
if (MANY_KEYS > 0) {
  log(`seeding ${MANY_KEYS} developer keys…`);
  await seedManyKeys(MANY_KEYS);
  many = await gatewayRounds({ ...scenario, label: `${MANY_KEYS} keys` });
}

const sections: string[] = [startedOn, ''];
for (const [label, rounds] of [
  ['1 key', one],
  [`${MANY_KEYS} developer keys`, many],
] as const) {
  if (rounds.length === 0) continue;
  for (const v of variants) {
    sections.push(`#### ${v.name}: /m.api with ${label}, against the baseline`, '', ...table(ROUND_HEADER, roundRows(rounds, v.name)), '');
  }
  const ab = abRows(
    rounds,
    variants.map((v) => v.name),
  );
  if (ab.length) sections.push(`#### A/B with ${label} (paired within each round)`, '', ...ab, '');
}

const cols = variants.flatMap((v) => [
  [`${v.name}, 1 key`, summary(one, v.name)] as const,
  ...(many.length ? [[`${v.name}, ${MANY_KEYS} keys`, summary(many, v.name)] as const] : []),
]);
sections.push(...mediansSection(cols));
if (many.length) {
  for (const v of variants)
    sections.push(
      `${v.name}: ${MANY_KEYS} keys vs 1 key (each against its own baseline): ${fmt((summary(many, v.name).ratio / summary(one, v.name).ratio) * 100, 1)}% of the throughput`,
    );
}
const report = sections.join('\n');
log('\n' + report);
if (process.env.BENCH_RESULTS_FILE) writeFileSync(process.env.BENCH_RESULTS_FILE, report + '\n');
if (process.env.BENCH_JSON_FILE) writeFileSync(process.env.BENCH_JSON_FILE, JSON.stringify({ knobs, variants, one, many }, null, 1));
rmSync(dataDir, { recursive: true, force: true });
