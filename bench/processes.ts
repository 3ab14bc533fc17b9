/**
 * What the benchmark scripts share: starting a server process and waiting for it to listen,
 * stopping it, its resident memory, a run of the load generator (its own process), and signed
 * unique request bodies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatCompact } from '../src/core/cst.ts';
import { opretail } from '../src/core/signing.ts';

export const ROOT = new URL('..', import.meta.url).pathname;

/** kaifang as `npm start` runs it (package.json): compiled, V8's young generation capped at 8 MB. */
export const KAIFANG_SERVE = ['--max-semi-space-size=8', '--single-threaded-gc', 'dist/cli/main.js', 'serve', '--port', '0'];
/** The baseline of quality.md: one TypeScript file, run through tsx. */
export const BASELINE_SERVE = ['bench/baseline-server.ts'];

export interface Stats {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** CPU time of the load generator per request, µs: a gauge of how fast the machine is right now. */
  loadCpuUsPerRequest: number;
}

export interface SigningKey {
  applicationKey: string;
  applicationSecret: string;
  enterpriseId: number;
}

/** Starts `node [nodeArgs] args…` (through tsx unless it runs a .js file) and waits for the line saying where it listens. */
export function startServer(args: string[], env: NodeJS.ProcessEnv, nodeArgs: string[] = []): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const tsx = args.some((a) => a.endsWith('.js')) ? [] : ['--import', 'tsx'];
    const child = spawn(process.execPath, [...nodeArgs, ...tsx, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
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

export async function stopServer(child: ChildProcess): Promise<void> {
  await new Promise<void>((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export function rssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
}

/** Sends each body once to `url`/m.api over `connections` connections, from the load generator's own process. */
export function runLoad(url: string, bodies: string[], scratchDir: string, connections: number): Promise<Stats> {
  const file = join(scratchDir, `bodies-${randomBytes(4).toString('hex')}.txt`);
  writeFileSync(file, bodies.join('\n'));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/load.ts', `${url}/m.api`, file, String(connections)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as Stats) : reject(new Error(`load exited ${code}`))));
  });
}

/** `n` signed `open.gateway.authentication` bodies, unique by their `seq` (from `from` on). */
export function signedBodies(key: SigningKey, n: number, from: number): string[] {
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
