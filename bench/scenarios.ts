/**
 * The benchmark's scenarios on top of bench/harness.ts: the signed `/m.api` call against the
 * form + MD5 baseline (embedded default, or PostgreSQL + Redis with one or two processes).
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { formatCompact } from '../src/kernel/cst.ts';
import { opretail } from '../src/fronts/opretail/signing.ts';
import {
  kaifangCounter,
  BASELINE_ARGS,
  baselineCounter,
  measure,
  measureProcess,
  ROOT,
  rotation,
  startKaifang,
  stopProcess,
  writeRequests,
  type Measured,
  type Round,
  type RunPlan,
  type Running,
  type Variant,
} from './harness.ts';

export interface SigningKey {
  applicationKey: string;
  applicationSecret: string;
  enterpriseId: number;
}

export interface Knobs {
  rounds: number;
  seconds: number;
  warmupSeconds: number;
  connections: number;
  /** Request files hold this many requests per second of a run (more than any server here answers). */
  maxRps: number;
  /** Extra node flags for kaifang (e.g. --cpu-prof --cpu-prof-dir=…). */
  nodeArgs: string[];
}

export function knobsFromEnv(): Knobs {
  const n = (name: string, d: number) => Number(process.env[name] ?? d);
  return {
    rounds: n('BENCH_ROUNDS', 5),
    seconds: n('BENCH_SECONDS', 10),
    warmupSeconds: n('BENCH_WARMUP_SECONDS', 3),
    connections: n('BENCH_CONNECTIONS', 50),
    maxRps: n('BENCH_MAX_RPS', 80_000),
    nodeArgs: (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
  };
}

/**
 * `n` signed `open.gateway.authentication` requests as wrk lines, unique by their `seq` (from `from`
 * on). The other parameters are the same on every line, so the string to sign is a fixed prefix
 * plus `seq` (the largest name in the sort order); the first lines are checked against
 * `opretail.sign` itself.
 */
export function signedLines(key: SigningKey, n: number, from: number): string[] {
  const fixed: Record<string, string> = {
    _aid: 'S107',
    _akey: key.applicationKey,
    _mt: 'open.gateway.authentication',
    _sm: 'md5',
    _requestMode: 'post',
    _version: 'v2',
    _timestamp: formatCompact(Date.now()),
    orgid: String(key.enterpriseId),
  };
  const names = Object.keys(fixed).sort();
  if (names.some((name) => name > 'seq')) throw new Error('seq must sort last');
  const signPrefix = key.applicationSecret + names.map((name) => name + fixed[name]).join('') + 'seq';
  const bodyPrefix = `/m.api\t${new URLSearchParams(fixed).toString()}&seq=`;
  const out: string[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const seq = String(from + i);
    const sig = createHash('md5')
      .update(signPrefix + seq + key.applicationSecret)
      .digest('hex')
      .toUpperCase();
    if (i < 3 && sig !== opretail.sign({ ...fixed, seq }, key.applicationSecret, 'md5')) throw new Error('signedLines: signature mismatch');
    out[i] = `${bodyPrefix}${seq}&_sig=${sig}`;
  }
  return out;
}

const FORM = 'application/x-www-form-urlencoded';

export interface GatewayScenario {
  label: string;
  key: SigningKey;
  variants: Variant[];
  /** kaifang's environment (data directory, database, master key…). */
  env: NodeJS.ProcessEnv;
  /** kaifang processes per run, each with its own wrk (connections split between them). */
  processes: number;
  scratch: string;
  knobs: Knobs;
  dbCommands?: string[];
  log: (line: string) => void;
}

let seqBase = Date.now() * 1000;

/** Baseline and each kaifang build, one after the other, `rounds` times (the builds' order rotating). */
export async function gatewayRounds(s: GatewayScenario): Promise<Round[]> {
  const { knobs } = s;
  const perFile = Math.ceil(knobs.maxRps * (knobs.seconds + 1));
  const warmN = Math.ceil(knobs.maxRps * (knobs.warmupSeconds + 1));
  const baselineFile = writeRequests(join(s.scratch, 'baseline.txt'), signedLines(s.key, perFile, 0));
  const okCount = kaifangCounter('opretail', 'open.gateway.authentication', '0');
  const rounds: Round[] = [];
  for (let round = 1; round <= knobs.rounds; round++) {
    const plan = (files: string[], connections: number, count = okCount): RunPlan => ({
      files,
      method: 'POST',
      contentType: FORM,
      connections,
      durationS: knobs.seconds,
      count,
      ...(s.dbCommands ? { dbCommands: s.dbCommands } : {}),
    });
    // The baseline: one process, all connections.
    const baseline = await measureProcess(
      BASELINE_ARGS,
      ROOT,
      s.env,
      plan([baselineFile], knobs.connections, baselineCounter),
      knobs.warmupSeconds,
    );
    const kaifang: Record<string, Measured> = {};
    for (const v of rotation(s.variants, round)) {
      const warm: string[] = [];
      const files: string[] = [];
      for (let p = 0; p < s.processes; p++) {
        seqBase += warmN;
        warm.push(writeRequests(join(s.scratch, `warm-${p}.txt`), signedLines(s.key, warmN, seqBase)));
        seqBase += perFile;
        files.push(writeRequests(join(s.scratch, `run-${p}.txt`), signedLines(s.key, perFile, seqBase)));
      }
      const procs: Running[] = [];
      try {
        for (let p = 0; p < s.processes; p++) procs.push(await startKaifang(v, knobs.nodeArgs, s.env));
        const perProcess = Math.max(1, Math.round(knobs.connections / s.processes));
        await measure(procs, { ...plan(warm, perProcess), durationS: knobs.warmupSeconds });
        kaifang[v.name] = await measure(procs, plan(files, perProcess));
      } finally {
        for (const p of procs) await stopProcess(p);
      }
    }
    rounds.push({ round, baseline, kaifang });
    s.log(
      `  ${s.label}, round ${round}: baseline ${baseline.rps.toFixed(0)} req/s p99 ${baseline.p99.toFixed(1)} ms${baseline.checked ? '' : ` UNCHECKED (wrapped ${baseline.wrapped}, wrk errors ${baseline.wrkErrors})`}; ` +
        s.variants
          .map((v) => {
            const k = kaifang[v.name]!;
            return `${v.name} ${k.rps.toFixed(0)} req/s (${(k.rps / baseline.rps).toFixed(2)}) p99 ${k.p99.toFixed(1)} ms, cpu ${k.mainCpuUs.toFixed(0)} µs/call, loop max ${k.eldMaxMs.toFixed(1)} ms, on CPU ${k.onCpuShare.toFixed(2)}, steal ${k.stealPct.toFixed(1)}%, ok ${k.ok}/${k.sent}${k.checked ? '' : ' UNCHECKED'}`;
          })
          .join('; '),
    );
  }
  return rounds;
}
