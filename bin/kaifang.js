#!/usr/bin/env node
// The published entry point. It runs the compiled CLI (dist/, from `npm run build`) when that is
// there and no source file is newer — a command then answers in a fraction of a second — and the
// TypeScript sources through tsx otherwise, so a checkout never runs stale code.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compiledIsFresh } from './fresh.js';

const root = fileURLToPath(new URL('..', import.meta.url));

if (compiledIsFresh(root)) {
  await import(join(root, 'dist', 'cli', 'main.js'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
