/**
 * One quick measured run, for profiles and diagnosis between benchmark runs: one server (kaifang
 * on the embedded default, or the baseline), a warm-up, then one wrk run of signed unique
 * requests; prints every figure of the benchmark (req/s, latency, the reply check, request-thread
 * CPU per call, event-loop delay, GC, RSS). Not a benchmark of record: it has no baseline beside it.
 *
 *   tsx bench/quick.ts kaifang|baseline [seconds] [-- node flags for the server, e.g. --cpu-prof --trace-gc]
 *
 * The memory figure of issue 19 (RSS of a fresh process after 1M calls, against 120 MB plus the
 * replay index's bytes): `BENCH_MAX_RPS=20000 tsx bench/quick.ts kaifang 54` (a file of 1.1M
 * requests; BENCH_MAX_RPS must be above the server's req/s, or the file runs out and the calls
 * after that are replays; `served`, `rssMb`, `liveIds`, `indexMb` and `heapMb`, the request
 * thread's heap by space, are in the line it prints). With BENCH_SETTLE_S=30 it prints a second
 * line, the same process's figures 30 s after the load.
 *
 * With DATABASE_URL and REDIS_URL set it runs on them, in a schema and Redis key prefix of its
 * own that it removes at the end.
 *
 * BENCH_DIR: the data directory (default: a new one); BENCH_SERVER_LOG: a file that gets the
 * server's stdout (the access log, --trace-gc lines); BENCH_PAUSE_S: seconds to wait after the
 * warm-up, printing the server's pid (to attach strace or perf to it); BENCH_HOLD_S: seconds to keep
 * the server after the run, printing its pid (to read its memory); BENCH_VARIANT_DIR: another
 * build's directory to run kaifang from.
 */
import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/server/config.ts';
import { createKaifang } from '../src/server/kaifang.ts';
import {
  baselineCounter,
  buildRoot,
  kaifangCounter,
  measure,
  requireWrk,
  ROOT,
  rssMb,
  scrape,
  scratchBackends,
  sleep,
  startKaifang,
  startProcess,
  stopProcess,
  writeRequests,
} from './harness.ts';
import { knobsFromEnv, signedLines } from './scenarios.ts';

requireWrk();
const which = process.argv[2] ?? 'kaifang';
const seconds = Number(process.argv[3] ?? 10);
const dd = process.argv.indexOf('--');
const nodeArgs = dd >= 0 ? process.argv.slice(dd + 1) : [];
const knobs = knobsFromEnv();
const dataDir = process.env.BENCH_DIR ?? mkdtempSync(join(tmpdir(), 'kaifang-quick-'));
const { DATABASE_URL, REDIS_URL } = process.env;
// On PostgreSQL + Redis, a schema and key prefix of the run's own, removed after it.
const scratchDb = DATABASE_URL && REDIS_URL ? scratchBackends(DATABASE_URL, REDIS_URL, `q${Date.now().toString(36)}`) : undefined;
const env = {
  ...process.env,
  KAIFANG_DATA_DIR: dataDir,
  KAIFANG_MASTER_KEY: 'a'.repeat(64),
  KAIFANG_ADMIN_TOKEN: 'bench-admin-token-0123456789',
  DATABASE_URL: DATABASE_URL ?? '',
  REDIS_URL: REDIS_URL ?? '',
  ...scratchDb?.env,
};
const dir = process.env.BENCH_VARIANT_DIR ?? ROOT;

if (which === 'kaifang' && dir === ROOT) buildRoot();
const k = await createKaifang(loadConfig(env));
const key = await k.fronts.opretail.keys.create({
  username: `q${Date.now()}`,
  enterpriseId: 1,
  ratePerSecond: 1_000_000,
  ratePerDay: 1_000_000_000,
});
await k.close();
let seq = Date.now() * 1000;
const file = (name: string, s: number) => {
  const n = Math.ceil(knobs.maxRps * (s + 1));
  const lines = signedLines(key, n, seq);
  seq += n;
  return writeRequests(join(dataDir, name), lines);
};
const warm = file('quick-warm.txt', knobs.warmupSeconds);
const run = file('quick-run.txt', seconds);

const server =
  which === 'baseline'
    ? await startProcess([...nodeArgs, '--import', 'tsx', 'bench/baseline-server.ts'], ROOT, env)
    : await startKaifang({ name: 'kaifang', dir }, nodeArgs, env);
if (process.env.BENCH_SERVER_LOG) server.child.stdout!.pipe(createWriteStream(process.env.BENCH_SERVER_LOG));
const count = which === 'baseline' ? baselineCounter : kaifangCounter('opretail', 'open.gateway.authentication', '0');
const plan = { method: 'POST' as const, contentType: 'application/x-www-form-urlencoded', connections: knobs.connections, count };
await measure([server], { ...plan, files: [warm], durationS: knobs.warmupSeconds });
if (process.env.BENCH_PAUSE_S) {
  console.log(`pid ${server.pid}: measuring in ${process.env.BENCH_PAUSE_S} s`);
  await sleep(Number(process.env.BENCH_PAUSE_S) * 1000);
}
const m = await measure([server], { ...plan, files: [run], durationS: seconds });
// Every call the process answered (warm-up included): what a CPU profile of the whole process covers.
const served = (await count(server.url)).ok;
// The replay index's own figures (the embedded store only): what the memory bound allows beside 120 MB.
const gauges = which === 'kaifang' ? await scrape(server.url) : new Map<string, number>();
const replayIndex = {
  liveIds: gauges.get('kaifang_replay_index_ids'),
  indexMb: (gauges.get('kaifang_replay_index_bytes') ?? NaN) / 2 ** 20,
};
console.log(JSON.stringify({ which, served, ...m, ...replayIndex, heapMb: heapSpacesMb(gauges) }));
if (process.env.BENCH_SETTLE_S) {
  // The same process once the load has stopped: `rssMb` above is read the moment wrk ends, with
  // the young generation full and the last seconds' garbage not yet collected.
  await sleep(Number(process.env.BENCH_SETTLE_S) * 1000);
  const settled = await scrape(server.url);
  console.log(
    JSON.stringify({
      settledAfterS: Number(process.env.BENCH_SETTLE_S),
      rssSettledMb: rssMb(server.pid),
      liveIds: settled.get('kaifang_replay_index_ids'),
      indexMb: (settled.get('kaifang_replay_index_bytes') ?? NaN) / 2 ** 20,
      heapMb: heapSpacesMb(settled),
    }),
  );
}
if (process.env.BENCH_HOLD_S) {
  console.log(`pid ${server.pid}: stopping in ${process.env.BENCH_HOLD_S} s`);
  await sleep(Number(process.env.BENCH_HOLD_S) * 1000);
}
await stopProcess(server);
await scratchDb?.drop();

/** The request thread's V8 heap by space (committed MB) and its external memory, from `/metrics`. */
function heapSpacesMb(m: Map<string, number>): Record<string, number> {
  const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
  const out: Record<string, number> = {};
  for (const [k, v] of m) {
    const space = /^kaifang_nodejs_heap_space_size_total_bytes\{space="(\w+)"\}$/.exec(k)?.[1];
    if (space && v > 0) out[space] = mb(v);
  }
  const external = m.get('kaifang_nodejs_external_memory_bytes');
  if (external !== undefined) out.external = mb(external);
  return out;
}
