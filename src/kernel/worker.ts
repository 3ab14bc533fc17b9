import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts the module at `url` in a worker thread. Built, it is a `.js` file and starts as it is.
 * From the TypeScript source (the tests, `npm run kaifang`), the worker registers tsx before it
 * imports the module: a worker does not inherit its parent's module loader (Node 20).
 */
export function startWorker(url: URL, options: WorkerOptions = {}): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, options);
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const boot = `import(${tsx}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(boot, { ...options, eval: true });
}

/** What a thread answers each message with: `ok: false` carries its error's message (and code). */
export type ThreadReply = { ok: true } | { ok: false; error: string; code?: string | undefined };

/**
 * A worker thread that answers every message, in order, with one `ThreadReply`: `request` gives
 * the answer to its message. The thread is referenced only while an answer is due, so an idle one
 * does not hold the process open. Once it dies (an uncaught error, an exit) every answer due and
 * every later request fails with that error, and `onFailure` runs once, for the owner to take the
 * thread's work back.
 */
export class ThreadChannel<Reply extends ThreadReply> {
  private readonly waiting: { resolve(reply: Reply): void; reject(err: unknown): void }[] = [];
  /** Set when the thread died or was closed. */
  failure: Error | undefined;
  /** Runs once, when the thread dies or is closed. */
  onFailure: (() => void) | undefined;

  /**
   * @param name which thread, in the errors of its end (`the SQLite writer thread exited (code 1)`)
   * @param errorPrefix put before the message of an error the thread answers with, when given
   */
  constructor(
    private readonly worker: Worker,
    private readonly name: string,
    private readonly errorPrefix?: string,
  ) {
    worker.on('message', (reply: Reply) => this.settle(reply));
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', (code) => this.fail(new Error(`the ${name} exited (code ${code})`)));
    // After the listeners: adding a 'message' listener references the thread again.
    worker.unref();
  }

  request(message: unknown): Promise<Reply & { ok: true }> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      if (this.waiting.length === 0) this.worker.ref();
      this.waiting.push({ resolve: resolve as (reply: Reply) => void, reject });
      this.worker.postMessage(message);
    });
  }

  /** Waits for the answer to `last` (and so to everything sent before it), then stops the thread. */
  async close(last: unknown): Promise<void> {
    if (!this.failure) await this.request(last).catch(() => undefined);
    this.fail(new Error(`the ${this.name} is closed`));
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }

  private settle(reply: Reply): void {
    const next = this.waiting.shift();
    if (this.waiting.length === 0) this.worker.unref();
    if (!next) return;
    if (reply.ok) next.resolve(reply);
    else {
      const message = this.errorPrefix ? `${this.errorPrefix}: ${reply.error}` : reply.error;
      next.reject(Object.assign(new Error(message), { code: reply.code }));
    }
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    this.onFailure?.();
    for (const w of this.waiting.splice(0)) w.reject(err);
  }
}
