import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The layer rules of shared/spec/platform.md ("Layout"), read from the import graph of src/: every
 * relative import (static, type-only, re-export or dynamic) is an edge.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;

/** src-relative path → the src-relative paths it imports. */
const graph = new Map<string, string[]>();
for (const file of files(SRC)) {
  const text = readFileSync(file, 'utf8');
  const edges: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2]!;
    if (!spec.startsWith('.')) continue;
    edges.push(relative(SRC, resolve(dirname(file), spec)));
  }
  graph.set(relative(SRC, file), edges);
}

function violations(from: (file: string) => boolean, forbidden: (target: string, file: string) => boolean): string[] {
  const out: string[] = [];
  for (const [file, edges] of graph) {
    if (!from(file)) continue;
    for (const target of edges) if (forbidden(target, file)) out.push(`${file} → ${target}`);
  }
  return out;
}

const under = (...dirs: string[]) => (path: string) => dirs.some((d) => path.startsWith(`${d}/`));

test('the graph was read (the rules below are not vacuous)', () => {
  assert.ok(graph.size > 50, `${graph.size} files`);
  assert.ok((graph.get('server/app.ts') ?? []).includes('fronts/index.ts'));
});

test('the store knows no service: src/store imports only src/store', () => {
  assert.deepEqual(violations(under('store'), (t) => !under('store')(t)), []);
});

test('short-lived state knows only the store and the clock', () => {
  assert.deepEqual(violations(under('state'), (t) => !under('state', 'store')(t) && t !== 'core/clock.ts'), []);
});

test('the core and the adapters know no HTTP framework module, front, CLI or simulator: no src/server, src/fronts, src/cli, src/sandbox', () => {
  assert.deepEqual(violations(under('core', 'upstream'), under('server', 'fronts', 'cli', 'sandbox')), []);
});

test('the simulators know no server, front or CLI (they take narrow dependencies)', () => {
  assert.deepEqual(violations(under('sandbox'), under('server', 'fronts', 'cli')), []);
});

test('a front knows no server, no CLI shell and no other front (only its folder and the kit)', () => {
  const frontOf = (path: string) => /^fronts\/([^/]+)\//.exec(path)?.[1];
  assert.deepEqual(
    violations(under('fronts'), (t, file) => {
      if (under('server', 'cli', 'sandbox')(t)) return true;
      const target = frontOf(t);
      return target !== undefined && target !== 'kit' && target !== frontOf(file) && file !== 'fronts/index.ts';
    }),
    [],
  );
});

test('the clients ship without the server: src/client imports only src/client and the signing module', () => {
  assert.deepEqual(violations(under('client'), (t) => !under('client')(t) && t !== 'core/signing.ts'), []);
});

test('no import cycles anywhere in src/', () => {
  const state = new Map<string, 'visiting' | 'done'>();
  const cycles: string[] = [];
  const visit = (file: string, path: string[]) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'visiting') {
      cycles.push([...path.slice(path.indexOf(file)), file].join(' → '));
      return;
    }
    state.set(file, 'visiting');
    for (const next of graph.get(file) ?? []) if (graph.has(next)) visit(next, [...path, file]);
    state.set(file, 'done');
  };
  for (const file of graph.keys()) visit(file, []);
  assert.deepEqual(cycles, []);
});
