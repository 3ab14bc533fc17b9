/**
 * µs per call of each part of the request thread, from a V8 CPU profile (`--cpu-prof`) of a server
 * under load: every sample goes to the part of the innermost frame that belongs to one (walking
 * from the sampled function toward the root, skipping V8/Node internals such as crypto's that
 * only do a part's work), then each part's time is divided by the calls the process answered.
 *
 *   tsx bench/quick.ts kaifang 10 -- --cpu-prof --cpu-prof-dir=/tmp/prof     (prints "served")
 *   tsx bench/profile.ts /tmp/prof/CPU….cpuprofile <served> [baseline.cpuprofile <served>]
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Parts in the order the table shows them; the first rule whose test matches a frame names its part. */
const PARTS: [part: string, test: (fn: string, url: string) => boolean][] = [
  ['GC', (fn) => fn === '(garbage collector)'],
  ['idle', (fn) => fn === '(idle)'],
  ['body parsing (form decode)', (_, u) => u.includes('/fronts/kit/bodies.')],
  ['parameter collection', (_, u) => u.includes('/fronts/opretail/params.')],
  ['key lookup (cache, row, unseal)', (_, u) => /\/(developerKeys|credentials|cache|secrets)\.|lru-cache/.test(u)],
  ['timestamp', (_, u) => u.includes('/kernel/cst.')],
  ['signature (MD5)', (_, u) => /\/kernel\/(signing|digest)\.|\/fronts\/\w+\/signing\./.test(u)],
  ['replay record + rate counts (SQLite group commit)', (_, u) => /\/state\/|\/core\/quota\.|better-sqlite3/.test(u)],
  ['call log hand-off', (_, u) => /\/core\/callLog\.|\/store\/sqliteWriter\.|\/store\/callLog/.test(u)],
  ['metrics (prom-client)', (_, u) => u.includes('prom-client') || /\/server\/(metrics|callTally)\./.test(u)],
  [
    'access log (pino)',
    (_, u) =>
      u.includes('/pino') ||
      u.includes('sonic-boom') ||
      u.includes('/server/logger.') ||
      u.includes('fast-redact') ||
      u.includes('quick-format'),
  ],
  ['reply (envelope, JSON, send)', (_, u) => /\/fronts\/opretail\/(reply|routes)\.|\/fronts\/weiting\/routes\./.test(u)],
  ['gateway logic (checks, method, replay id)', (_, u) => /\/fronts\/opretail\//.test(u)],
  ['weiting: token, user, rows (Kysely)', (_, u) => /\/fronts\/weiting\/|\/core\/bearerTokens\.|kysely/.test(u)],
  ['kaifang: request id, hooks, observe', (_, u) => /\/server\/|\/fronts\/kit\//.test(u)],
  ['baseline handler', (_, u) => u.includes('baseline-server')],
  [
    'Node HTTP + Fastify',
    (_, u) =>
      /fastify|find-my-way|avvio|light-my-request|secure-json-parse|fast-json-stringify|node:_http|node:net|node:internal\/(http|stream|streams|net|timers|process\/task_queues|async_hooks)|node:events|node:stream|node:internal\/url|node:buffer/.test(
        u,
      ),
  ],
];

function classify(p: Profile): Map<string, number> {
  const byId = new Map<number, Node>();
  const parent = new Map<number, number>();
  for (const n of p.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const partOf = new Map<number, string>();
  const part = (id: number): string => {
    const known = partOf.get(id);
    if (known) return known;
    let found = 'other (V8, Node internals, unattributed)';
    const leaf = byId.get(id)!.callFrame;
    if (leaf.functionName === '(program)') found = 'other (V8, Node internals, unattributed)';
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const { functionName, url } = byId.get(cur)!.callFrame;
      const hit = PARTS.find(([, test]) => test(functionName, url));
      if (hit) {
        found = hit[0];
        break;
      }
    }
    partOf.set(id, found);
    return found;
  };
  const out = new Map<string, number>();
  p.samples.forEach((id, i) => {
    const us = p.timeDeltas[i + 1] ?? 0;
    const name = part(id);
    out.set(name, (out.get(name) ?? 0) + us);
  });
  return out;
}

const args = process.argv.slice(2);
const runs: { file: string; calls: number; parts: Map<string, number> }[] = [];
for (let i = 0; i + 1 < args.length; i += 2) {
  const profile = JSON.parse(readFileSync(args[i]!, 'utf8')) as Profile;
  runs.push({ file: args[i]!, calls: Number(args[i + 1]), parts: classify(profile) });
}
if (runs.length === 0) throw new Error('usage: profile.ts <cpuprofile> <calls> [<cpuprofile> <calls>]');
const names = [...PARTS.map(([n]) => n), 'other (V8, Node internals, unattributed)'].filter((n) => runs.some((r) => r.parts.has(n)));
const lines = [
  `| part | ${runs.map((_run, i) => (i === 0 ? 'µs per call' : 'baseline µs per call')).join(' | ')} |`,
  `|---|${runs.map(() => '---').join('|')}|`,
];
for (const n of names) lines.push(`| ${n} | ${runs.map((r) => ((r.parts.get(n) ?? 0) / r.calls).toFixed(1)).join(' | ')} |`);
const busy = (r: (typeof runs)[number]) => [...r.parts].filter(([n]) => n !== 'idle').reduce((s, [, v]) => s + v, 0) / r.calls;
lines.push(`| **busy total (all but idle)** | ${runs.map((r) => `**${busy(r).toFixed(1)}**`).join(' | ')} |`);
process.stdout.write(lines.join('\n') + '\n');
