/**
 * One quick measured run, for profiling and A/B checks while working on speed: one server (kaifang
 * on the embedded default, or the baseline), a 5,000-request warm-up, then one run; prints req/s,
 * p50/p99, and CPU time per request of the server (all threads, and its main thread alone) and of
 * the load generator. CPU per request moves less with a noisy machine than req/s does.
 *
 *   tsx bench/quick.ts kaifang|baseline [requests] [-- node args for the server, e.g. --cpu-prof]
 *
 * `npm run bench` is the benchmark of record; this is the tool for the steps in between.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/server/config.ts';
import { createKaifang } from '../src/server/kaifang.ts';
import { BASELINE_SERVE, KAIFANG_SERVE, ROOT, rssMb, runLoad, signedBodies, startServer, stopServer } from './processes.ts';

const which = process.argv[2] ?? 'kaifang';
const REQUESTS = Number(process.argv[3] ?? 60_000);
const dd = process.argv.indexOf('--');
const nodeArgs = dd >= 0 ? process.argv.slice(dd + 1) : [];
const dataDir = process.env.BENCH_DIR ?? mkdtempSync(join(tmpdir(), 'kaifang-quick-'));
const env = { ...process.env, KAIFANG_DATA_DIR: dataDir, KAIFANG_MASTER_KEY: 'a'.repeat(64), KAIFANG_ADMIN_TOKEN: 'bench-admin-token-0123456789', DATABASE_URL: process.env.DATABASE_URL ?? '', REDIS_URL: process.env.REDIS_URL ?? '' };

if (which === 'kaifang') execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
const k = await createKaifang(loadConfig(env));
const key = await k.fronts.opretail.keys.create({ username: `q${Date.now()}`, enterpriseId: 1, ratePerSecond: 1_000_000, ratePerDay: 1_000_000_000 });
await k.close();
let seq = Date.now() * 10;
const bodies = (n: number) => signedBodies(key, n, (seq += n) - n);
const load = (url: string, b: string[]) => runLoad(url, b, dataDir, 50);

const { child, url } = await startServer(which === 'baseline' ? BASELINE_SERVE : KAIFANG_SERVE, env, nodeArgs);
await load(url, bodies(5000));
// utime + stime of the process (all threads) or of its main thread, in µs (100 ticks a second).
const ticks = (file: string) => {
  const f = readFileSync(file, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) * 10_000;
};
const cpu = () => ticks(`/proc/${child.pid}/stat`);
const mainCpu = () => ticks(`/proc/${child.pid}/task/${child.pid}/stat`);
const b = bodies(REQUESTS);
const c0 = cpu();
const m0 = mainCpu();
const stats = await load(url, b);
const us = (cpu() - c0) / REQUESTS;
const mainUs = (mainCpu() - m0) / REQUESTS;
const heap =
  which === 'kaifang'
    ? (await (await fetch(`${url}/metrics`)).text())
        .split('\n')
        .filter((l) => /^kaifang_(nodejs_heap_size_used|nodejs_heap_size_total|nodejs_external)/.test(l))
        .join(' | ')
    : '';
console.log(`rss=${rssMb(child.pid!).toFixed(0)}MB ${heap}`);
console.log(which, `rps=${stats.rps.toFixed(0)} p50=${stats.p50} p99=${stats.p99} cpu/req=${us.toFixed(1)}us main=${mainUs.toFixed(1)}us loadgen=${stats.loadCpuUsPerRequest.toFixed(1)}us`);
await stopServer(child);
