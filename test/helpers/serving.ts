import type { ChildProcess } from 'node:child_process';

/**
 * The `kaifang serve` processes a test file started and that have not exited, with their data
 * directories. Apart from children.ts so that a backend (and the child scripts that open one) can
 * stop them without loading node:test: a child that loads it reports to the runner on its stdout.
 */
const serving = new Map<ChildProcess, string | undefined>();

/** Registers a `kaifang serve` child: its backend's cleanup stops it, and it is killed when the file ends. */
export function served(child: ChildProcess, dataDir: string | undefined): void {
  serving.set(child, dataDir);
  child.once('exit', () => serving.delete(child));
}

/** SIGTERM, and wait for the exit; SIGKILL after 15 s, so a stop that hangs fails no later test. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(kill);
}

/**
 * Stops every served process on the data directory `dataDir`. A backend's cleanup calls it first:
 * dropping a PostgreSQL schema under a running process deadlocks with its writes.
 */
export async function stopServersOn(dataDir: string): Promise<void> {
  const on = [...serving].filter(([, dir]) => dir === dataDir).map(([child]) => child);
  await Promise.all(on.map(stopProcess));
}

export function killServed(): void {
  for (const child of serving.keys()) child.kill('SIGKILL');
}
