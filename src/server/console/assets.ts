import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The console's and the debugger's files, as `npm run build` made them (bin/console-build.js →
 * dist/console/): two HTML pages and their hashed scripts and styles. Read once, served from memory.
 */

/** The project's (or the installed package's) root: the nearest folder up from here with a package.json. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('kaifang: no package.json above the server code');
    dir = up;
  }
  return dir;
}

export interface Asset {
  body: Buffer;
  type: string;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.wasm': 'application/wasm',
};

export class ConsoleAssets {
  readonly dir = join(packageRoot(), 'dist', 'console');
  private readonly cache = new Map<string, Asset | null>();

  /** Whether the build made the pages. */
  built(): boolean {
    return existsSync(join(this.dir, 'console.html'));
  }

  /** A page (`console.html`) or an asset (`assets/<name>`); undefined when there is none. Names are checked: no path from outside reaches the disk. */
  get(name: string): Asset | undefined {
    if (!/^(?:[a-z]+\.html|assets\/[A-Za-z0-9_-]+\.(?:js|css|wasm))$/.test(name)) return undefined;
    if (!this.cache.has(name)) {
      const path = join(this.dir, name);
      const ext = name.slice(name.lastIndexOf('.'));
      this.cache.set(name, existsSync(path) ? { body: readFileSync(path), type: TYPES[ext] ?? 'application/octet-stream' } : null);
    }
    return this.cache.get(name) ?? undefined;
  }
}
