import { moduleBeside, SharedThread, type ThreadChannel } from '../kernel/worker.ts';
import { roundMs, type CallLogSink, type CallRecord } from './callLogRows.ts';
import type { SqliteWriterData, WriterMessage } from './sqliteWriterWorker.ts';

const ROLE = moduleBeside(import.meta.url, 'sqliteWriterWorker');

type Reply = { ok: true; value: unknown } | { ok: false; error: string };

/**
 * A role on a background thread (`sqliteWriterWorker.ts`), with its own connection to the embedded
 * SQLite file, for the writes nobody waits on: call-log batches and their pruning, and WAL
 * checkpoints. A server runs it on the thread that also records its one-time ids. A checkpoint
 * copies the WAL back into the database file and syncs it; left to SQLite, it runs inside
 * whichever commit crosses 1,000 WAL pages, which on the request thread is a stall of milliseconds
 * every fraction of a second under load. So the request thread's connection does not checkpoint
 * (see `takeOverCheckpoints`) and this role checkpoints every `checkpointEveryMs` instead
 * (PASSIVE: it never blocks a writer). If the thread dies, checkpoints go back to the request thread.
 */
export class SqliteBackgroundWriter implements CallLogSink {
  private readonly channel: ThreadChannel<Reply>;
  /** The thread answers its messages in the order they came. */
  readonly inOrder = true;

  /** @param thread the thread to run on (a server shares it with its one-time ids), else one of its own */
  constructor(path: string, checkpointEveryMs = 250, thread?: SharedThread) {
    const data: SqliteWriterData = { path, checkpointEveryMs };
    this.channel = (thread ?? new SharedThread('SQLite writer thread')).open(ROLE, data, 'SQLite writer thread', 'SQLite writer');
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
    } satisfies WriterMessage);
  }

  async prune(olderThan: number): Promise<number> {
    return (await this.channel.request({ op: 'prune', olderThan } satisfies WriterMessage)).value as number;
  }

  /** Waits for what was sent, then stops the thread (and gives the checkpoints back). */
  close(): Promise<void> {
    return this.channel.close({ op: 'ping' } satisfies WriterMessage);
  }
}
