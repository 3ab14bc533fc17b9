/**
 * Bytes allocated per call by each allocating function, from a sampling heap profile that kept the
 * collected objects (bench/heapSample.cjs): the first thing to look at when GC takes more of a call
 * than the baseline's does.
 *
 *   tsx bench/allocations.ts heap-<pid>-0.json <served> [rows]
 */
import { readFileSync } from 'node:fs';

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}

const [file, served, rows = '40'] = process.argv.slice(2);
if (!file || !served) throw new Error('usage: allocations.ts <heap profile> <calls served> [rows]');
const root = (JSON.parse(readFileSync(file, 'utf8')) as { head: HeapNode }).head;
const bySite = new Map<string, number>();
let total = 0;
const stack: HeapNode[] = [root];
while (stack.length > 0) {
  const node = stack.pop()!;
  const { functionName, url, lineNumber } = node.callFrame;
  const site = `${functionName || '(anonymous)'} ${url.replace(/^.*\/(node_modules|dist|src)\//, '$1/')}:${lineNumber + 1}`;
  if (node.selfSize > 0) bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
  total += node.selfSize;
  stack.push(...node.children);
}
const calls = Number(served);
const lines = [`${(total / calls).toFixed(0)} bytes allocated a call in all`, '', '| bytes a call | allocated in |', '|---|---|'];
for (const [site, bytes] of [...bySite].sort((a, b) => b[1] - a[1]).slice(0, Number(rows))) {
  lines.push(`| ${(bytes / calls).toFixed(0)} | ${site} |`);
}
process.stdout.write(lines.join('\n') + '\n');
