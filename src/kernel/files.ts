import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * Makes `dir` and its missing parents (with `mode`, when given), one level at a time. Node's own `mkdirSync(dir, {recursive:
 * true})` never returns for a path under /proc (it retries forever at full CPU); this fails at
 * once, naming the directory and why.
 */
export function ensureDirectory(dir: string, mode?: number): void {
  const path = resolve(dir);
  const missing: string[] = [];
  for (let at = path; ; at = dirname(at)) {
    let isDirectory: boolean | undefined;
    try {
      isDirectory = statSync(at).isDirectory();
    } catch {
      isDirectory = undefined;
    }
    if (isDirectory === false) throw new Error(`cannot create the directory ${path}: ${at} exists and is not a directory`);
    if (isDirectory) break;
    missing.unshift(at);
    if (dirname(at) === at) break;
  }
  for (const at of missing) {
    try {
      mkdirSync(at, mode === undefined ? undefined : { mode });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && statSync(at).isDirectory()) continue;
      throw new Error(`cannot create the directory ${path}: ${code ?? (err as Error).message} on ${at}`, { cause: err });
    }
  }
}
