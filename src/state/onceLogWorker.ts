/**
 * The role `OnceLogThread` starts on a thread: a `OnceLog` on a connection of its own to the
 * embedded SQLite file. Answers every batch, in order, with its outcome and the index's size.
 */
import Database from 'better-sqlite3';
import type { MessagePort } from 'node:worker_threads';
import { OnceLog, type Recording } from './onceLog.ts';
import type { BatchMessage, OnceLogWorkerData, ReplyMessage } from './onceLogThread.ts';

/** Index entries forgotten between two turns of this thread's loop. */
const FORGET_SLICE = 20_000;

/** The batch as `OnceLogThread.record` flattened it. */
function unflatten(m: BatchMessage): Recording[] {
  const batch: Recording[] = new Array(m.ids.length);
  let k = 0;
  for (let i = 0; i < m.ids.length; i++) {
    const counters = new Array(m.counterCounts[i]!);
    for (let j = 0; j < counters.length; j++, k++) counters[j] = { key: m.keys[k]!, ttlMs: m.keyTtls[k]! };
    batch[i] = { id: m.ids[i]!, ttlMs: m.ttls[i]!, counters };
  }
  return batch;
}

/** Answers `port`'s batches; stops with the port. */
export function serve(port: MessagePort, data: OnceLogWorkerData): void {
  const db = new Database(data.path);
  // The request thread's connection's own settings: the same durability, the same patience with
  // other writers (here a wait for the lock blocks this thread, not the event loop of the calls).
  db.pragma(`synchronous = ${data.synchronous}`);
  db.pragma(`busy_timeout = ${data.busyTimeoutMs}`);
  const log = new OnceLog(db);

  port.on('message', (m: BatchMessage) => {
    try {
      const results = log.record(unflatten(m));
      const counts: number[] = [];
      const replayed: number[] = [];
      results.forEach((r, i) => {
        if (r === null) replayed.push(i);
        else for (const n of r) counts.push(n);
      });
      port.postMessage({ ok: true, counts, replayed, ...log.index() } satisfies ReplyMessage);
    } catch (err) {
      port.postMessage({
        ok: false,
        error: err instanceof Error ? err.message : String(err),
        code: (err as { code?: string }).code,
      } satisfies ReplyMessage);
    }
  });

  // After a quiet spell the index forgets here, a slice at a time (a batch forgets as it records).
  const forgetting =
    data.forgetEveryMs > 0
      ? setInterval(() => {
          const step = () => {
            if (log.forgetExpired(FORGET_SLICE) === FORGET_SLICE) setImmediate(step);
          };
          step();
        }, data.forgetEveryMs).unref()
      : undefined;
  port.on('close', () => {
    clearInterval(forgetting);
    db.close();
  });
}
