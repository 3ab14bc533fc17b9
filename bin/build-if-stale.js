#!/usr/bin/env node
// `npm start`'s build step: compiles src/ to dist/ (`npm run build`) only when a source is newer
// than the build. A restart then starts at once, and a running server's compiled files are never
// rewritten under it (or under another process started from the same checkout).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { compiledIsFresh } from './fresh.js';

const root = fileURLToPath(new URL('..', import.meta.url));
if (!compiledIsFresh(root)) {
  const built = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  process.exit(built.status ?? 1);
}
