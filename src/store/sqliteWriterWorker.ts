/**
 * The role `SqliteBackgroundWriter` starts on a thread: call-log batches, their pruning and the
 * WAL checkpoints, on a connection of its own to the embedded SQLite file. Answers every message,
 * in order, with `{ ok, value }` or `{ ok: false, error }`.
 */
import Database from 'better-sqlite3';
import type { MessagePort } from 'node:worker_threads';
import { applyConnectionPragmas } from './sqlitePragmas.ts';

export interface SqliteWriterData {
  path: string;
  checkpointEveryMs: number;
}

export type WriterMessage = { op: 'calls'; rows: unknown[][] } | { op: 'prune'; olderThan: number } | { op: 'ping' };

/** Answers `port`'s messages; stops with the port. */
export function serve(port: MessagePort, data: SqliteWriterData): void {
  const db = new Database(data.path);
  applyConnectionPragmas(db);
  // Prepared on first use: the thread may start before the migrations have made its tables.
  let statements: { insertAll: (rows: unknown[][]) => void; prune: Database.Statement<[number]> } | undefined;
  const prepared = () => {
    if (statements) return statements;
    const insert = db.prepare<unknown[]>(
      'insert into call_log (at, front, endpoint, credential, outcome, result, latency_ms, request_id) values (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    statements = {
      insertAll: db.transaction((rows: unknown[][]) => {
        for (const r of rows) insert.run(r);
      }),
      prune: db.prepare<[number]>('delete from call_log where at < ?'),
    };
    return statements;
  };
  const checkpoints = setInterval(() => {
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      /* busy: the next round does it */
    }
  }, data.checkpointEveryMs);
  port.on('message', (m: WriterMessage) => {
    try {
      if (m.op === 'calls') {
        // 100 rows a transaction: SQLite's write lock is held for well under a millisecond at a
        // time, so a signed call's own write on the request thread never waits long behind it.
        for (let i = 0; i < m.rows.length; i += 100) prepared().insertAll(m.rows.slice(i, i + 100));
        port.postMessage({ ok: true, value: null });
      } else if (m.op === 'prune') port.postMessage({ ok: true, value: prepared().prune.run(m.olderThan).changes });
      else if (m.op === 'ping') port.postMessage({ ok: true, value: null });
      else port.postMessage({ ok: false, error: `unknown op ${(m as { op: string }).op}` });
    } catch (err) {
      port.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) });
    }
  });
  port.on('close', () => {
    clearInterval(checkpoints);
    db.close();
  });
}
