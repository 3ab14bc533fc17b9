import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The layer rules of shared/spec/platform.md ("Layout"), read from the import graph of src/: every
 * relative import (static, type-only, re-export or dynamic) is an edge. Dependencies point down:
 * cli/server → fronts → core → store/state/upstream → kernel. A front's tests
 * (`fronts/<name>/test/`) are not part of the server and are checked on their own below.
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

const isFrontTest = (path: string) => /^fronts\/[^/]+\/test\//.test(path);

/** src-relative path → the src-relative paths it imports (outside src/: a path starting with ../). */
const graph = new Map<string, string[]>();
const testGraph = new Map<string, string[]>();
for (const file of files(SRC)) {
  const text = readFileSync(file, 'utf8');
  const edges: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2]!;
    if (!spec.startsWith('.')) continue;
    edges.push(relative(SRC, resolve(dirname(file), spec)));
  }
  const path = relative(SRC, file);
  (isFrontTest(path) ? testGraph : graph).set(path, edges);
}

function violations(from: (file: string) => boolean, forbidden: (target: string, file: string) => boolean, of = graph): string[] {
  const out: string[] = [];
  for (const [file, edges] of of) {
    if (!from(file)) continue;
    for (const target of edges) if (forbidden(target, file)) out.push(`${file} → ${target}`);
  }
  return out;
}

const under =
  (...dirs: string[]) =>
  (path: string) =>
    dirs.some((d) => path.startsWith(`${d}/`));
const frontOf = (path: string) => /^fronts\/([^/]+)\//.exec(path)?.[1];
const FRONT_NAMES = readdirSync(join(SRC, 'fronts')).filter((name) => name !== 'kit' && statSync(join(SRC, 'fronts', name)).isDirectory());

test('the graph was read (the rules below are not vacuous)', () => {
  assert.ok(graph.size > 50, `${graph.size} files`);
  assert.ok((graph.get('server/kaifang.ts') ?? []).includes('fronts/all.ts'));
  assert.ok(testGraph.size > 20, `${testGraph.size} front test files`);
  assert.ok(FRONT_NAMES.length >= 2, FRONT_NAMES.join(' '));
});

test("the kernel imports nothing of kaifang's but itself", () => {
  assert.deepEqual(
    violations(under('kernel'), (t) => !under('kernel')(t)),
    [],
  );
});

test('the store knows no service: src/store imports only the store and the kernel', () => {
  assert.deepEqual(
    violations(under('store'), (t) => !under('store', 'kernel')(t)),
    [],
  );
});

test("short-lived state imports only itself, the kernel, and the store's table types (its SQL implementation lives in the store)", () => {
  assert.deepEqual(
    violations(under('state'), (t) => !under('state', 'kernel')(t) && t !== 'store/schema.ts'),
    [],
  );
});

test('the upstream adapters import only themselves and the kernel', () => {
  assert.deepEqual(
    violations(under('upstream'), (t) => !under('upstream', 'kernel')(t)),
    [],
  );
});

test('the core knows no HTTP framework module, front, CLI or simulator: no src/server, src/fronts, src/cli, src/sandbox', () => {
  assert.deepEqual(violations(under('core'), under('server', 'fronts', 'cli', 'sandbox', 'client')), []);
});

test('the simulators know no server, front or CLI (they take narrow dependencies)', () => {
  assert.deepEqual(violations(under('sandbox'), under('server', 'fronts', 'cli', 'core', 'client')), []);
});

test('a front knows no server, no CLI shell and no other front (only its folder, the kit, and what lies below)', () => {
  assert.deepEqual(
    violations(under('fronts'), (t, file) => {
      if (under('server', 'cli', 'sandbox')(t)) return true;
      // src/client holds the clients' shared helpers (and the generated entry): for clients only.
      if (under('client')(t) && !/^fronts\/[^/]+\/client\.ts$/.test(file)) return true;
      const target = frontOf(t);
      return (
        target !== undefined &&
        target !== 'kit' &&
        target !== frontOf(file) &&
        !['fronts/index.ts', 'fronts/all.ts', 'fronts/manifests.ts'].includes(file)
      );
    }),
    [],
  );
});

test('the kit knows no front', () => {
  assert.deepEqual(
    violations(under('fronts/kit'), (t) => frontOf(t) !== undefined && frontOf(t) !== 'kit'),
    [],
  );
});

test("a front's client ships without the server: it imports only the kernel, src/client's helpers, and its front's signing and wire types", () => {
  const clients = (path: string) => /^fronts\/[^/]+\/client\.ts$/.test(path);
  assert.ok([...graph.keys()].filter(clients).length >= 1, 'the rule below reads at least one client');
  assert.deepEqual(
    violations(clients, (t, file) => {
      const own = `fronts/${frontOf(file)}/`;
      return !under('kernel', 'client')(t) && t !== `${own}signing.ts` && t !== `${own}wire.ts`;
    }),
    [],
  );
  // and the helpers and the entry import only clients, helpers and the kernel
  assert.deepEqual(
    violations(under('client'), (t) => !under('client', 'kernel')(t) && !clients(t)),
    [],
  );
});

test("a front's signing scheme and wire types are leaves over the kernel (the client takes them)", () => {
  const leaves = (path: string) => /^fronts\/(?!kit\/)[^/]+\/(signing|wire)\.ts$/.test(path);
  assert.deepEqual(
    violations(leaves, (t) => !under('kernel')(t)),
    [],
  );
});

test("a front's tests import no other front", () => {
  assert.deepEqual(
    violations(
      () => true,
      (t, file) => {
        const target = frontOf(t);
        return target !== undefined && target !== 'kit' && target !== frontOf(file);
      },
      testGraph,
    ),
    [],
  );
});

test('only fronts/index.ts and the generated client entry name every front', () => {
  // Adding or removing a front is its folder and its line in fronts/index.ts.
  const naming = [...graph]
    .filter(([file, edges]) => !under('fronts')(file) && FRONT_NAMES.some((name) => edges.some((t) => t.startsWith(`fronts/${name}/`))))
    .map(([file]) => file);
  assert.deepEqual(naming.sort(), ['client/index.ts', 'console/fronts.ts']);
});

/** What runs in the browser: the console's and the debugger's page code and the modules they bundle. */
const browserSide = (path: string) =>
  under('console')(path) ||
  /^fronts\/[^/]+\/(debugger|signing)\.ts$/.test(path) ||
  ['fronts/kit/debugger.ts', 'fronts/kit/console.ts', 'kernel/signing.ts'].includes(path);

test("the browser code (src/console/) imports no server code: only itself, the fronts' debugger and signing modules, and the kit's declarations", () => {
  assert.ok([...graph.keys()].some(under('console')), 'the rule reads src/console');
  assert.deepEqual(
    violations(under('console'), (t) => !browserSide(t) && t !== 'kernel/digest.ts'),
    [],
  );
  // A front's debugger module signs with its own signing.ts, nothing else of the front's.
  assert.deepEqual(
    violations(
      (path) => /^fronts\/[^/]+\/debugger\.ts$/.test(path),
      (t, file) => t !== 'fronts/kit/debugger.ts' && t !== `fronts/${frontOf(file)}/signing.ts` && !under('kernel')(t),
    ),
    [],
  );
  // The kit's console and debugger declarations are data and types: they import nothing.
  assert.deepEqual(
    violations(
      (path) => ['fronts/kit/debugger.ts', 'fronts/kit/console.ts'].includes(path),
      () => true,
    ),
    [],
  );
});

test("nothing bundled for the browser imports Node's modules (the digest is swapped for the browser's at build time)", () => {
  const offenders = [...graph.keys()]
    .filter((path) => browserSide(path))
    .filter((path) => /from\s*['"]node:|import\(\s*['"]node:/.test(readFileSync(join(SRC, path), 'utf8')));
  assert.deepEqual(offenders, []);
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
