import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { after } from 'node:test';
import { killServed, served, stopProcess } from './serving.ts';

export { served, stopProcess };

// A child left running keeps the test file's process, and so the whole run, from ever ending:
// whatever a test's own hooks did, none outlives its file.
after(killServed);

/**
 * Runs `count` child node processes (`node --import tsx <script> ...args`) that each print "ready"
 * once set up and then wait for a line on stdin. When every child is ready they are all released
 * at once, so their work overlaps as much as processes can. Resolves with each child's last line
 * of stdout parsed as JSON; rejects when a child fails.
 */
export async function runTogether<T>(
  script: string,
  count: number,
  options: { env?: Record<string, string>; args?: (i: number) => string[] } = {},
): Promise<T[]> {
  const children: ChildProcess[] = [];
  const ready: Promise<void>[] = [];
  const done: Promise<T>[] = [];
  for (let i = 0; i < count; i++) {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...(options.args?.(i) ?? [])], {
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const lines: string[] = [];
    let onReady: () => void;
    let onReadyFail: (e: Error) => void;
    ready.push(
      new Promise<void>((res, rej) => {
        onReady = res;
        onReadyFail = rej;
      }),
    );
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line === 'ready') onReady();
      else lines.push(line);
    });
    done.push(
      new Promise<T>((resolve, reject) => {
        child.on('close', (code) => {
          if (code !== 0) {
            const err = new Error(`child ${i} exited with ${code}: ${stderr}`);
            onReadyFail(err);
            return reject(err);
          }
          const last = lines.at(-1);
          if (last === undefined) return reject(new Error(`child ${i} printed nothing: ${stderr}`));
          resolve(JSON.parse(last) as T);
        });
      }),
    );
  }
  try {
    await Promise.all(ready);
  } catch (err) {
    for (const c of children) c.kill('SIGKILL');
    await Promise.allSettled(done);
    throw err;
  }
  for (const c of children) c.stdin!.end('go\n');
  return Promise.all(done);
}

/** Children of one script kept for several rounds of work: see `startTogether`. */
export interface Together {
  /** Writes each child its arguments at once and resolves with each child's JSON answer. */
  round<T>(args: (i: number) => string[]): Promise<T[]>;
  /** Ends the children's input and waits for them to exit. */
  close(): Promise<void>;
}

/**
 * `count` children (`node --import tsx <script>`) that each print "ready" once set up, then answer
 * every line of stdin (a JSON array of arguments) with one line of JSON. A round writes its line to
 * every child at once, so their work overlaps as in `runTogether`, while the children's start-up
 * (about a second each) is paid once for all the rounds.
 */
export async function startTogether(script: string, count: number, options: { env?: Record<string, string> } = {}): Promise<Together> {
  const children = Array.from({ length: count }, (_, i) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const waiting: { resolve(line: string): void; reject(e: Error): void }[] = [];
    const exited = new Promise<void>((resolve) =>
      child.on('close', (code) => {
        for (const w of waiting.splice(0)) w.reject(new Error(`child ${i} exited with ${code}: ${stderr}`));
        resolve();
      }),
    );
    createInterface({ input: child.stdout! }).on('line', (line) => waiting.shift()?.resolve(line));
    const nextLine = () => new Promise<string>((resolve, reject) => waiting.push({ resolve, reject }));
    return { child, exited, nextLine };
  });
  const kill = () => {
    for (const c of children) c.child.kill('SIGKILL');
  };
  try {
    const ready = await Promise.all(children.map((c) => c.nextLine()));
    if (ready.some((line) => line !== 'ready')) throw new Error(`a child did not start: ${ready.join(' | ')}`);
  } catch (err) {
    kill();
    throw err;
  }
  return {
    async round<T>(args: (i: number) => string[]) {
      const answers = children.map((c) => c.nextLine());
      for (const [i, c] of children.entries()) c.child.stdin!.write(JSON.stringify(args(i)) + '\n');
      return (await Promise.all(answers)).map((line) => JSON.parse(line) as T);
    },
    async close() {
      for (const c of children) c.child.stdin!.end();
      const killLate = setTimeout(kill, 15_000);
      await Promise.all(children.map((c) => c.exited));
      clearTimeout(killLate);
    },
  };
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Starts `kaifang serve --port 0` as its own process with exactly `env` over the parent's
 * environment (a SQLite backend passes DATABASE_URL='' so it never inherits CI's PostgreSQL);
 * resolves with its base URL once it listens.
 */
export function serveProcess(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['bin/kaifang.js', 'serve', '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: '', REDIS_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  served(child, env.KAIFANG_DATA_DIR);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /^kaifang listening on (http:\/\/\S+)/.exec(line);
      if (m) resolve({ url: m[1]!, child });
    });
    child.on('exit', (code) => reject(new Error(`kaifang serve exited with ${code}: ${stderr}`)));
  });
}
