import type { Worker } from 'node:worker_threads';
import { startWorker } from '../kernel/worker.ts';
import type { Recorded, Recording } from './onceLog.ts';

export interface OnceLogWorkerData {
  path: string;
  synchronous: number;
  busyTimeoutMs: number;
  /** How often the thread's index forgets expired ids after a quiet spell; 0: never. */
  forgetEveryMs: number;
}

/** A batch, flattened: structured cloning copies a few flat arrays faster than an object per recording. */
export interface BatchMessage {
  ids: (string | null)[];
  ttls: number[];
  /** How many of `keys` each recording has, in order. */
  counterCounts: number[];
  keys: string[];
  keyTtls: number[];
}

export type ReplyMessage =
  | {
      ok: true;
      /** The counts of the recorded ones, in order, flat. */
      counts: number[];
      /** The positions of the replayed ones. */
      replayed: number[];
      ids: number;
      bytes: number;
    }
  | { ok: false; error: string; code: string | undefined };

const WORKER = new URL(`./onceLogWorker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

/**
 * The embedded store's one-time ids on a thread of their own (`onceLogWorker.ts`): the request
 * thread hands a batch of recordings over in one message and gets their outcome back in one, so
 * the SQLite transaction, its commit and the index's upkeep (~12 µs of a signed call, profiled)
 * are not the request thread's work. The guarantees are the transaction's and stay as they were:
 * a recording resolves once its commit is done, an id is recorded once across every process.
 */
export class OnceLogThread {
  private readonly worker: Worker;
  private readonly waiting: { batch: readonly Recording[]; resolve(results: Recorded[]): void; reject(err: unknown): void }[] = [];
  private lastIndex = { ids: 0, bytes: 0 };
  /** Set when the thread died: the owner records on its own connection from then on. */
  failure: Error | undefined;

  constructor(data: OnceLogWorkerData) {
    this.worker = startWorker(WORKER, { workerData: data });
    this.worker.on('message', (reply: ReplyMessage) => this.settle(reply));
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new Error(`the one-time id thread exited (code ${code})`)));
    // After the listeners: adding a 'message' listener references the thread again.
    this.worker.unref();
  }

  /** The index's size as of the last answer. */
  index(): { ids: number; bytes: number } {
    return this.lastIndex;
  }

  record(batch: readonly Recording[]): Promise<Recorded[]> {
    if (this.failure) return Promise.reject(this.failure);
    const message: BatchMessage = { ids: [], ttls: [], counterCounts: [], keys: [], keyTtls: [] };
    for (const r of batch) {
      message.ids.push(r.id);
      message.ttls.push(r.ttlMs);
      message.counterCounts.push(r.counters.length);
      for (const c of r.counters) {
        message.keys.push(c.key);
        message.keyTtls.push(c.ttlMs);
      }
    }
    return new Promise((resolve, reject) => {
      // Referenced only while an answer is due, so an idle thread does not hold the process open.
      if (this.waiting.length === 0) this.worker.ref();
      this.waiting.push({ batch, resolve, reject });
      this.worker.postMessage(message);
    });
  }

  private settle(reply: ReplyMessage): void {
    const next = this.waiting.shift();
    if (this.waiting.length === 0) this.worker.unref();
    if (!next) return;
    if (!reply.ok) {
      next.reject(Object.assign(new Error(reply.error), { code: reply.code }));
      return;
    }
    this.lastIndex = { ids: reply.ids, bytes: reply.bytes };
    const results: Recorded[] = new Array(next.batch.length);
    let replayed = 0;
    let k = 0;
    for (let i = 0; i < results.length; i++) {
      if (reply.replayed[replayed] === i) {
        results[i] = null;
        replayed++;
        continue;
      }
      const n = next.batch[i]!.counters.length;
      results[i] = reply.counts.slice(k, k + n);
      k += n;
    }
    next.resolve(results);
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    for (const w of this.waiting.splice(0)) w.reject(err);
  }

  /** Waits for the answers due, then stops the thread. */
  async close(): Promise<void> {
    if (!this.failure) await this.record([]).catch(() => undefined);
    this.failure ??= new Error('the one-time id thread is closed');
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}
