/**
 * What the autocannon benchmark (bench/autocannon.ts, kept as history) adds to the wrk harness: a
 * run of the Node load generator in its own process, and signed bodies without wrk's path column.
 * Starting, stopping and measuring processes are the harness's (bench/harness.ts).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASELINE_ARGS, kaifangArgs, ROOT } from './harness.ts';
import { signedLines, type SigningKey } from './scenarios.ts';

/** kaifang as `npm start` runs it, and the baseline of quality.md. */
export const KAIFANG_SERVE = kaifangArgs();
export const BASELINE_SERVE = BASELINE_ARGS;

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

/** `n` signed `open.gateway.authentication` form bodies, unique by their `seq` (from `from` on). */
export function signedBodies(key: SigningKey, n: number, from: number): string[] {
  return signedLines(key, n, from).map((line) => line.slice(line.indexOf('\t') + 1));
}
