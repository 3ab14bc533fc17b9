import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';

/**
 * Starts the module at `url` in a worker thread. Built, it is a `.js` file and starts as it is.
 * From the TypeScript source (the tests, `npm run kaifang`), the worker registers tsx before it
 * imports the module: a worker does not inherit its parent's module loader (Node 20).
 */
function startWorker(url: URL): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url);
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const boot = `import(${tsx}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(boot, { eval: true });
}

/**
 * The module `name` in the folder of the module at `from` (its `import.meta.url`): `name.ts` when
 * that runs from the TypeScript source, `name.js` when built. A thread's role is named this way.
 */
export function moduleBeside(from: string, name: string): URL {
  return new URL(`./${name}${from.endsWith('.ts') ? '.ts' : '.js'}`, from);
}

/** What a thread answers each message with: `ok: false` carries its error's message (and code). */
export type ThreadReply = { ok: true } | { ok: false; error: string; code?: string | undefined };

/**
 * One role's port on a `SharedThread` (made by `SharedThread.open`): the role answers every
 * message, in order, with one `ThreadReply`, and `request` gives the answer to its message. The
 * thread is referenced only while an answer is due, so an idle one does not hold the process open.
 * Once the thread dies (an uncaught error, an exit) every answer due and every later request fails
 * with that error, and `onFailure` runs once, for the owner to take the role's work back.
 */
export class ThreadChannel<Reply extends ThreadReply> {
  private readonly waiting: { resolve(reply: Reply): void; reject(err: unknown): void }[] = [];
  /** Set when the thread died or the channel was closed. */
  failure: Error | undefined;
  /** Runs once, when the thread dies or the channel is closed. */
  onFailure: (() => void) | undefined;

  /**
   * @param name the role, in the error of its close (`the one-time id thread is closed`)
   * @param errorPrefix put before the message of an error the role answers with, when given
   * @param thread its SharedThread's hold on the thread, and what closing the port leaves to it
   */
  constructor(
    private readonly port: MessagePort,
    private readonly name: string,
    private readonly errorPrefix: string | undefined,
    private readonly thread: { hold: { ref(): void; unref(): void }; release(): Promise<void> },
  ) {
    port.on('message', (reply: Reply) => this.settle(reply));
    // The thread, not the port, holds the process open while an answer is due: a port whose thread
    // died would not, and its answers due would never fail.
    port.unref();
  }

  request(message: unknown): Promise<Reply & { ok: true }> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      if (this.waiting.length === 0) this.thread.hold.ref();
      this.waiting.push({ resolve: resolve as (reply: Reply) => void, reject });
      this.port.postMessage(message);
    });
  }

  /** Waits for the answer to `last` (and so to everything sent before it), then closes the port; the last one stops the thread. */
  async close(last: unknown): Promise<void> {
    if (!this.failure) await this.request(last).catch(() => undefined);
    this.end(new Error(`the ${this.name} is closed`));
    this.port.close();
    await this.thread.release();
  }

  /** Fails what is due and what comes later with `err` (once: the thread's death or the close). */
  end(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    this.onFailure?.();
    if (this.waiting.length > 0) this.thread.hold.unref();
    for (const w of this.waiting.splice(0)) w.reject(err);
  }

  private settle(reply: Reply): void {
    const next = this.waiting.shift();
    if (!next) return;
    if (this.waiting.length === 0) this.thread.hold.unref();
    if (reply.ok) next.resolve(reply);
    else {
      const message = this.errorPrefix ? `${this.errorPrefix}: ${reply.error}` : reply.error;
      next.reject(Object.assign(new Error(message), { code: reply.code }));
    }
  }
}

const HOST = moduleBeside(import.meta.url, 'workerHost');

/**
 * One worker thread for several roles, each on a port of its own: a role is a module whose
 * `serve(port, data)` answers the port's messages in order, the other end of a `ThreadChannel`.
 * A thread costs its isolate, heap and stack (~10 MB resident), so the embedded store runs its
 * one-time ids and its call-log writes as two roles of one thread. The thread ends when the last
 * role's channel is closed; if it dies, every role's channel fails with its error. It starts with
 * the first role.
 */
export class SharedThread {
  /** The thread itself, once a role started it (tests kill it to see the roles' owners take their work back). */
  worker: Worker | undefined;
  private readonly channels = new Set<ThreadChannel<ThreadReply>>();
  private failure: Error | undefined;
  /** How many roles have an answer due: while any has, the thread holds the process open. */
  private due = 0;
  private readonly hold = {
    ref: () => {
      if (this.due++ === 0) this.worker?.ref();
    },
    unref: () => {
      if (--this.due === 0) this.worker?.unref();
    },
  };

  constructor(private readonly name: string) {}

  /**
   * Starts the role module at `role` on the thread with `data`, and gives the channel to it.
   * @param name the role, in its channel's errors (`the one-time id thread is closed`)
   */
  open<Reply extends ThreadReply>(role: URL, data: unknown, name: string, errorPrefix?: string): ThreadChannel<Reply> {
    if (this.failure) throw this.failure;
    this.worker ??= this.start();
    const worker = this.worker;
    const { port1, port2 } = new MessageChannel();
    const channel: ThreadChannel<Reply> = new ThreadChannel<Reply>(port1, name, errorPrefix, {
      hold: this.hold,
      release: () => this.release(channel),
    });
    this.channels.add(channel as unknown as ThreadChannel<ThreadReply>);
    worker.postMessage({ role: role.href, data, port: port2 }, [port2]);
    return channel;
  }

  private start(): Worker {
    const worker = startWorker(HOST);
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', (code) => this.fail(new Error(`the ${this.name} exited (code ${code})`)));
    // Only while a role has an answer due does the thread hold the process open (`hold`).
    worker.unref();
    return worker;
  }

  /** A role's channel closed: the last one stops the thread. */
  private async release(channel: ThreadChannel<ThreadReply>): Promise<void> {
    this.channels.delete(channel);
    if (this.channels.size > 0) return;
    // Closed, not failed: the exit that follows is not an error for anyone.
    this.failure ??= new Error(`the ${this.name} is closed`);
    await this.worker?.terminate();
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    for (const c of this.channels) c.end(err);
  }
}
