import { moduleBeside, SharedThread, type ThreadChannel } from '../kernel/worker.ts';
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
  | { ok: false; error: string; code?: string | undefined };

const ROLE = moduleBeside(import.meta.url, 'onceLogWorker');

/**
 * The embedded store's one-time ids on a thread (`onceLogWorker.ts`): the request thread hands a
 * batch of recordings over in one message and gets their outcome back in one, so the SQLite
 * transaction, its commit and the index's upkeep (~12 µs of a signed call, profiled) are not the
 * request thread's work. The guarantees are the transaction's and stay as they were: a recording
 * resolves once its commit is done, an id is recorded once across every process. The thread is
 * the one given (a server shares it with its call-log writer), else one of its own.
 */
export class OnceLogThread {
  /** The thread the recordings run on. */
  readonly thread: SharedThread;
  private readonly channel: ThreadChannel<ReplyMessage>;
  private lastIndex = { ids: 0, bytes: 0 };

  constructor(data: OnceLogWorkerData, thread?: SharedThread) {
    this.thread = thread ?? new SharedThread('one-time id thread');
    this.channel = this.thread.open(ROLE, data, 'one-time id thread');
  }

  /** Set when the thread died: the owner records on its own connection from then on. */
  get failure(): Error | undefined {
    return this.channel.failure;
  }

  /** The index's size as of the last answer. */
  index(): { ids: number; bytes: number } {
    return this.lastIndex;
  }

  async record(batch: readonly Recording[]): Promise<Recorded[]> {
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
    const reply = await this.channel.request(message);
    this.lastIndex = { ids: reply.ids, bytes: reply.bytes };
    const results: Recorded[] = new Array(batch.length);
    let replayed = 0;
    let k = 0;
    for (let i = 0; i < results.length; i++) {
      if (reply.replayed[replayed] === i) {
        results[i] = null;
        replayed++;
        continue;
      }
      const n = batch[i]!.counters.length;
      results[i] = reply.counts.slice(k, k + n);
      k += n;
    }
    return results;
  }

  /** Waits for the answers due, then stops the thread. */
  close(): Promise<void> {
    const empty: BatchMessage = { ids: [], ttls: [], counterCounts: [], keys: [], keyTtls: [] };
    return this.channel.close(empty);
  }
}
