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
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { opretail } from '../src/core/signing.ts';
import { formatCompact } from '../src/core/cst.ts';
import { loadConfig } from '../src/server/config.ts';
import { createKaifang } from '../src/server/kaifang.ts';

const which = process.argv[2] ?? 'kaifang';
const REQUESTS = Number(process.argv[3] ?? 60_000);
const dd = process.argv.indexOf('--');
const nodeArgs = dd >= 0 ? process.argv.slice(dd + 1) : [];
const root = new URL('..', import.meta.url).pathname;
const dataDir = process.env.BENCH_DIR ?? mkdtempSync(join(tmpdir(), 'kaifang-quick-'));
const env = { ...process.env, KAIFANG_DATA_DIR: dataDir, KAIFANG_MASTER_KEY: 'a'.repeat(64), KAIFANG_ADMIN_TOKEN: 'bench-admin-token-0123456789', DATABASE_URL: process.env.DATABASE_URL ?? '', REDIS_URL: process.env.REDIS_URL ?? '' };

function start(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, ...(args.some((a) => a.endsWith('.js')) ? [] : ['--import', 'tsx']), ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let seen = '';
    let ok = false;
    child.stdout!.on('data', (c: Buffer) => {
      if (ok) return;
      seen += c.toString();
      const m = /(?:LISTENING|kaifang listening on) (http:\/\/[\d.:]+)/.exec(seen);
      if (m) { ok = true; resolve({ child, url: m[1]! }); }
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}`)));
  });
}
function load(url: string, bodies: string[]): Promise<any> {
  const file = join(dataDir, `b-${randomBytes(4).toString('hex')}.txt`);
  writeFileSync(file, bodies.join('\n'));
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, ['--import', 'tsx', 'bench/load.ts', `${url}/m.api`, file, '50'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.on('data', (x: Buffer) => (out += x));
    c.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error('load'))));
  });
}
if (which === 'kaifang') execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
const k = await createKaifang(loadConfig(env));
const key = await k.opretail.keys.create({ username: `q${Date.now()}`, enterpriseId: 1, ratePerSecond: 1_000_000, ratePerDay: 1_000_000_000 });
await k.close();
let seq = Date.now() * 10;
function bodies(n: number): string[] {
  const out: string[] = [];
  const ts = formatCompact(Date.now());
  for (let i = 0; i < n; i++) {
    const p: Record<string, string> = { _aid: 'S107', _akey: key.applicationKey, _mt: 'open.gateway.authentication', _sm: 'md5', _requestMode: 'post', _version: 'v2', _timestamp: ts, orgid: '1', seq: String(seq++) };
    p._sig = opretail.sign(p, key.applicationSecret, 'md5');
    out.push(new URLSearchParams(p).toString());
  }
  return out;
}
const { child, url } = await start(which === 'baseline' ? ['bench/baseline-server.ts'] : ['--max-semi-space-size=8', 'dist/cli/main.js', 'serve', '--port', '0']);
await load(url, bodies(5000));
const ticks = (file: string) => { const f = readFileSync(file, 'utf8').split(') ')[1]!.split(' '); return (Number(f[11]) + Number(f[12])) * 10_000; };
const cpu = () => ticks(`/proc/${child.pid}/stat`);
const mainCpu = () => ticks(`/proc/${child.pid}/task/${child.pid}/stat`);
const b = bodies(REQUESTS);
const c0 = cpu();
const m0 = mainCpu();
const stats = await load(url, b);
const us = (cpu() - c0) / REQUESTS;
const mainUs = (mainCpu() - m0) / REQUESTS;
const heapReport = which === 'kaifang' ? await (await fetch(`${url}/metrics`)).text().then((t) => t.split('\n').filter((l) => /^kaifang_(process_resident|nodejs_heap_size_used|nodejs_heap_size_total|nodejs_external)/.test(l)).join(' | ')) : '';
const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) / 1024;
console.log(`rss=${rss.toFixed(0)}MB ${heapReport}`);
console.log(which, `rps=${stats.rps.toFixed(0)} p50=${stats.p50} p99=${stats.p99} cpu/req=${us.toFixed(1)}us main=${mainUs.toFixed(1)}us loadgen=${stats.loadCpuUsPerRequest.toFixed(1)}us`);
await new Promise<void>((r) => { child.removeAllListeners('exit'); child.once('exit', () => r()); child.kill('SIGTERM'); });
