/**
 * The signed `/m.api` call with PostgreSQL + Redis (issue 9: no target, reported so operators know
 * what a process costs when they scale out): one kaifang process, then two processes sharing the
 * database and Redis, each with its own wrk (half the connections each, run at once), beside the
 * form + MD5 baseline measured in the same rounds. The CPU time of the postgres and redis-server
 * processes is measured too.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379 npm run bench:pg
 *
 * A fresh schema (KAIFANG_DB_SCHEMA=bench_…) and Redis prefix (KAIFANG_REDIS_PREFIX=kaifang-bench-…:)
 * are made for the run and removed after it. Settings as bench/opretail.ts.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/server/config.ts';
import { createKaifang } from '../src/server/kaifang.ts';
import {
  abRows,
  buildRoot,
  fmt,
  MEDIAN_ROWS,
  mediansSection,
  requireWrk,
  ROUND_HEADER,
  roundRows,
  scratchBackends,
  summary,
  table,
  variantsFromEnv,
  type Round,
  machineLine,
} from './harness.ts';
import { gatewayRounds, knobsFromEnv } from './scenarios.ts';

requireWrk();
const { DATABASE_URL, REDIS_URL } = process.env;
if (!DATABASE_URL || !REDIS_URL) {
  process.stderr.write(
    'bench:pg needs DATABASE_URL (PostgreSQL) and REDIS_URL, e.g.\n  DATABASE_URL=postgres://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379 npm run bench:pg\n',
  );
  process.exit(2);
}
const knobs = knobsFromEnv();
const variants = variantsFromEnv();
const log = (line: string) => process.stdout.write(line + '\n');
const scratchDb = scratchBackends(DATABASE_URL, REDIS_URL, randomBytes(4).toString('hex'));
const { KAIFANG_DB_SCHEMA: schema, KAIFANG_REDIS_PREFIX: prefix } = scratchDb.env;
const scratch = mkdtempSync(join(tmpdir(), 'kaifang-bench-pg-'));
const env: NodeJS.ProcessEnv = {
  ...process.env,
  KAIFANG_DATA_DIR: scratch,
  KAIFANG_MASTER_KEY: randomBytes(32).toString('hex'),
  KAIFANG_ADMIN_TOKEN: 'bench-admin-token-0123456789',
  DATABASE_URL,
  REDIS_URL,
  ...scratchDb.env,
};

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
  `bench:pg: ${knobs.rounds} rounds; each run ${knobs.seconds} s after a ${knobs.warmupSeconds} s warm-up; schema ${schema}, Redis prefix ${prefix}`,
);
const dbCommands = ['postgres', 'redis-server'];
const scenario = { key, variants, env, scratch, knobs, log, dbCommands };
let one: Round[] = [];
let two: Round[] = [];
try {
  one = await gatewayRounds({ ...scenario, label: 'PG+Redis, 1 process', processes: 1 });
  two = await gatewayRounds({ ...scenario, label: 'PG+Redis, 2 processes', processes: 2 });
} finally {
  await scratchDb.drop();
  rmSync(scratch, { recursive: true, force: true });
}

const sections: string[] = [startedOn, ''];
for (const [label, rounds] of [
  ['1 process', one],
  ['2 processes (one wrk each, half the connections each, at once)', two],
] as const) {
  for (const v of variants)
    sections.push(
      `#### ${v.name}: PostgreSQL + Redis, ${label}, against the baseline (one process)`,
      '',
      ...table(ROUND_HEADER, roundRows(rounds, v.name)),
      '',
    );
  const ab = abRows(
    rounds,
    variants.map((v) => v.name),
  );
  if (ab.length) sections.push(`#### A/B, ${label}`, '', ...ab, '');
}
const cols = variants.flatMap((v) => [
  [`${v.name}, 1 process`, summary(one, v.name)] as const,
  [`${v.name}, 2 processes`, summary(two, v.name)] as const,
]);
sections.push(
  ...mediansSection(cols, [
    MEDIAN_ROWS.ratio,
    MEDIAN_ROWS.p99Ratio,
    MEDIAN_ROWS.cpuRatio,
    MEDIAN_ROWS.eldRatio,
    ['kaifang req/s, all processes (baseline req/s)', MEDIAN_ROWS.rps[1]],
    ['kaifang p50 / p90 / p99 / max ms (worst process)', MEDIAN_ROWS.latency[1]],
    MEDIAN_ROWS.cpu,
    MEDIAN_ROWS.procCpu,
    MEDIAN_ROWS.dbCpu,
    MEDIAN_ROWS.wrkCpu,
    MEDIAN_ROWS.eventLoop,
    ['RSS MB at the end, largest process (max)', MEDIAN_ROWS.rss[1]],
    ['request thread on CPU, share of the run, mean of the processes (baseline)', MEDIAN_ROWS.onCpu[1]],
    MEDIAN_ROWS.steal,
    MEDIAN_ROWS.checked,
  ]),
);
for (const v of variants)
  sections.push(`${v.name}: 2 processes / 1 process: ${fmt(summary(two, v.name).rps / summary(one, v.name).rps, 2)}× the throughput`);
const report = sections.join('\n');
log('\n' + report);
if (process.env.BENCH_RESULTS_FILE) writeFileSync(process.env.BENCH_RESULTS_FILE, report + '\n');
if (process.env.BENCH_JSON_FILE) writeFileSync(process.env.BENCH_JSON_FILE, JSON.stringify({ knobs, variants, one, two }, null, 1));
