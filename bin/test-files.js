#!/usr/bin/env node
// `npm test`'s list of test files, the longest first. `node --test` starts files in the order it
// is given them, two at a time here; sorted by name, the two longest (the state suite on five
// backends and the front-removal check, ~60 s each) came last and ran alone at the end. Started
// first, they overlap with the rest: the suite took 638 s sorted by name on the 2-core machine.
// A file not named here runs after these, in name order; a name here that no longer exists is
// skipped. The figures are seconds each file took in that run, for whoever updates the list.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const LONGEST_FIRST = [
  'test/state/state.test.ts', // 64
  'test/removal/removal.test.ts', // 61
  'src/fronts/opretail/test/cli.test.ts', // 56
  'test/core/corePieces.test.ts', // 52
  'src/fronts/jucai/test/crossprocess.test.ts', // 39
  'test/console/pages.browser.test.ts', // 36
  'src/fronts/weiting/test/crossprocess.test.ts', // 32
  'test/cli/store.test.ts', // 29
  'src/fronts/weiting/test/admin-cli.test.ts', // 28
  'test/fuzz/transport.test.ts', // 26
  'test/cli/operator.test.ts', // 25
];

const root = fileURLToPath(new URL('..', import.meta.url));
const found = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules') return [];
    return statSync(path).isDirectory() ? found(path) : name.endsWith('.test.ts') ? [relative(root, path)] : [];
  });
const all = [...found(join(root, 'test')), ...found(join(root, 'src'))].sort();
const first = LONGEST_FIRST.filter((f) => all.includes(f));
process.stdout.write([...first, ...all.filter((f) => !first.includes(f))].join('\n'));
