import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { ThreadChannel } from '../kernel/worker.ts';
import { roundMs, type CallLogSink, type CallRecord } from './callLogRows.ts';

const BETTER_SQLITE3 = createRequire(import.meta.url).resolve('better-sqlite3');

/**
 * The writer thread, in plain JavaScript: a worker thread does not get the TypeScript loader of
 * the thread that starts it. It answers every message, in order, with `{ ok, value }` or
 * `{ ok: false, error }`.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.betterSqlite3);
const db = new Database(workerData.path);
// The pragmas every connection to the file gets (openStore in database.ts).
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = 5000');
// Prepared on first use: the thread may start before the migrations have made its tables.
let statements;
const prepared = () => statements ??= (() => {
  const insert = db.prepare('insert into call_log (at, front, endpoint, credential, outcome, result, latency_ms, request_id) values (?, ?, ?, ?, ?, ?, ?, ?)');
  return {
    insertAll: db.transaction((rows) => { for (const r of rows) insert.run(r); }),
    prune: db.prepare('delete from call_log where at < ?'),
  };
})();
setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy: the next round does it */ }
}, workerData.checkpointEveryMs);
parentPort.on('message', (m) => {
  try {
    if (m.op === 'calls') {
      // 100 rows a transaction: SQLite's write lock is held for well under a millisecond at a
      // time, so a signed call's own write on the request thread never waits long behind it.
      for (let i = 0; i < m.rows.length; i += 100) prepared().insertAll(m.rows.slice(i, i + 100));
      parentPort.postMessage({ ok: true, value: null });
    }
    else if (m.op === 'prune') parentPort.postMessage({ ok: true, value: prepared().prune.run(m.olderThan).changes });
    else if (m.op === 'ping') parentPort.postMessage({ ok: true, value: null });
    else parentPort.postMessage({ ok: false, error: 'unknown op ' + m.op });
  } catch (err) {
    parentPort.postMessage({ ok: false, error: String(err && err.message || err) });
  }
});
`;

type Reply = { ok: true; value: unknown } | { ok: false; error: string };

/**
 * A background thread with its own connection to the embedded SQLite file, for the writes nobody
 * waits on: call-log batches and their pruning, and WAL checkpoints. A checkpoint copies the WAL
 * back into the database file and syncs it; left to SQLite, it runs inside whichever commit
 * crosses 1,000 WAL pages, which on the request thread is a stall of milliseconds every fraction
 * of a second under load. So the request thread's connection does not checkpoint (see
 * `takeOverCheckpoints`) and this thread checkpoints every `checkpointEveryMs` instead (PASSIVE:
 * it never blocks a writer). If the thread dies, checkpoints go back to the request thread.
 */
export class SqliteBackgroundWriter implements CallLogSink {
  private readonly channel: ThreadChannel<Reply>;
  /** The thread answers its messages in the order they came. */
  readonly inOrder = true;

  constructor(path: string, checkpointEveryMs = 250) {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, betterSqlite3: BETTER_SQLITE3, checkpointEveryMs } });
    this.channel = new ThreadChannel(worker, 'SQLite writer thread', 'SQLite writer');
  }

  /** Stops `connection` from checkpointing on its own while this thread runs; restores it if the thread dies. */
  takeOverCheckpoints(connection: { readonly open: boolean; pragma(source: string): unknown }): void {
    connection.pragma('wal_autocheckpoint = 0');
    this.channel.onFailure = () => {
      if (connection.open) connection.pragma('wal_autocheckpoint = 1000');
    };
    if (this.channel.failure) this.channel.onFailure();
  }

  /** Resolves once the rows are committed. */
  async write(rows: CallRecord[]): Promise<void> {
    await this.channel.request({
      op: 'calls',
      rows: rows.map((r) => [r.at, r.front, r.endpoint, r.credential, r.outcome, r.result, roundMs(r.latencyMs), r.requestId]),
    });
  }

  async prune(olderThan: number): Promise<number> {
    return (await this.channel.request({ op: 'prune', olderThan })).value as number;
  }

  /** Waits for what was sent, then stops the thread (and gives the checkpoints back). */
  close(): Promise<void> {
    return this.channel.close({ op: 'ping' });
  }
}
