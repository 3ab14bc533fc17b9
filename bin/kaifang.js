#!/usr/bin/env node
// The published entry point. It runs the compiled CLI (dist/, from `npm run build`) when that is
// there and no source file is newer — a command then answers in a fraction of a second — and the
// TypeScript sources through tsx otherwise, so a checkout never runs stale code.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const compiled = join(root, 'dist', 'cli', 'main.js');
const sources = join(root, 'src');

/** The newest modification time of any file under `dir`. */
function newest(dir) {
  let time = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    time = Math.max(time, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return time;
}

if (existsSync(compiled) && (!existsSync(sources) || statSync(compiled).mtimeMs >= newest(sources))) {
  await import(compiled);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
