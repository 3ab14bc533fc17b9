import SQLite from 'better-sqlite3';
import { createPrivate } from './database.ts';

/**
 * Which processes serve an embedded store, told by SQLite's own file locks on a small file beside
 * it (`kaifang.sqlite-serve.lock`): every server holds a shared lock on it for as long as it runs
 * (the operating system drops it when the process dies, even by kill -9), and `kaifang store
 * restore` takes an exclusive one, which it gets only when no server holds the store — and which
 * keeps one from starting while it replaces the file.
 */
const lockFile = (sqlitePath: string) => `${sqlitePath}-serve.lock`;

/** Holds the shared lock until `release` (a server; waits up to 30 s for a restore under way). */
export function holdServeLock(sqlitePath: string): { release(): void } {
  createPrivate(lockFile(sqlitePath));
  const lock = new SQLite(lockFile(sqlitePath));
  lock.pragma('busy_timeout = 30000');
  try {
    lock.exec('BEGIN');
    lock.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (err) {
    lock.close();
    throw new Error(`the store ${sqlitePath} is being restored (kaifang store restore); start again when it is done`, { cause: err });
  }
  return {
    release() {
      if (!lock.open) return;
      lock.exec('COMMIT');
      lock.close();
    },
  };
}

/** The store is served: a restore would pull the file from under a running process. */
export class StoreInUse extends Error {
  override readonly name = 'StoreInUse';
}

/** Runs `fn` holding the exclusive lock: refused at once (StoreInUse) while any server holds the store. */
export async function withStoreStopped<T>(sqlitePath: string, fn: () => Promise<T> | T): Promise<T> {
  createPrivate(lockFile(sqlitePath));
  const lock = new SQLite(lockFile(sqlitePath));
  try {
    lock.pragma('busy_timeout = 0');
    try {
      lock.exec('BEGIN EXCLUSIVE');
    } catch (err) {
      throw new StoreInUse(`the store ${sqlitePath} is in use by a running kaifang (serve or migrate): stop every process on it first`, {
        cause: err,
      });
    }
    try {
      return await fn();
    } finally {
      lock.exec('COMMIT');
    }
  } finally {
    lock.close();
  }
}
