// Whether dist/ (from `npm run build`) is there and no source file is newer than it: shared by the
// CLI entry (compiled or sources), `npm start` (build or not) and the client-package test.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The newest modification time of any file under `dir`, a front's tests (`fronts/<name>/test/`) aside: they are not built. */
function newest(dir) {
  let time = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && entry.name === 'test') continue;
    const path = join(dir, entry.name);
    time = Math.max(time, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return time;
}

/** True when `root`/dist/cli/main.js and the console's pages exist and nothing under `root`/src is newer (or there is no src: a package). */
export function compiledIsFresh(root) {
  const compiled = join(root, 'dist', 'cli', 'main.js');
  const sources = join(root, 'src');
  // The console's pages are part of the build too (bin/console-build.js): a build without them is stale.
  const pages = join(root, 'dist', 'console', 'console.html');
  return existsSync(compiled) && existsSync(pages) && (!existsSync(sources) || statSync(compiled).mtimeMs >= newest(sources));
}
