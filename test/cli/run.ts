import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (for --json runs). */
  json(): any;
}

/**
 * Runs the real CLI as a child process (`node --import tsx src/cli/main.ts …`) with exactly the
 * given backend environment: the parent's storage variables are dropped, so a SQLite run never
 * reaches the PostgreSQL of the surrounding CI job.
 */
export function kaifang(env: Record<string, string>, args: string[], stdin?: string): Promise<CliResult> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(KAIFANG_|DATABASE_URL$|REDIS_URL$)/.test(name)),
  ) as Record<string, string>;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/kaifang.js', ...args], {
      cwd: ROOT,
      env: { ...base, KAIFANG_LOG_LEVEL: 'silent', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code,
        stdout,
        stderr,
        json() {
          try {
            return JSON.parse(stdout);
          } catch {
            throw new Error(`kaifang ${args.join(' ')} printed no JSON (exit ${code}):\n${stdout}\n${stderr}`);
          }
        },
      }),
    );
    child.stdin.end(stdin ?? '');
  });
}
