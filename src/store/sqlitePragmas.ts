import type SQLite from 'better-sqlite3';

/**
 * The settings every kaifang connection to the embedded SQLite file gets: the store's own and the
 * SQLite thread's. WAL lets several connections and processes share the file; NORMAL sync keeps a
 * committed write through a process crash (kill -9) without an fsync per request; busy_timeout
 * waits out other writers. Its own module, so the SQLite thread loads it without Kysely.
 */
export function applyConnectionPragmas(sqlite: SQLite.Database): void {
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
}
