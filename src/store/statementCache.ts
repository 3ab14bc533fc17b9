import type SQLite from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

/**
 * The better-sqlite3 handle as Kysely's SQLite dialect sees it, with each SQL text prepared once.
 * Kysely prepares every statement again on every execution (`SqliteConnection.executeQuery`), and
 * preparing was about half of a simple query's cost (bench/RESULTS.md). Query texts are few (values
 * are bound parameters), so a bounded map keeps them all; past `max` texts (e.g. `in (…)` lists of
 * many lengths) the least recently used goes. A statement still being iterated (Kysely's
 * `stream()`) is busy, so that text gets a statement of its own for the moment.
 */
export function withStatementCache(sqlite: SQLite.Database, max = 500): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let stmt = statements.get(sql);
      if (stmt !== undefined) {
        if (stmt.busy) return sqlite.prepare(sql);
        // Most recently used last: the map's first entry is the one to drop.
        statements.delete(sql);
      } else {
        stmt = sqlite.prepare(sql);
        if (statements.size >= max) statements.delete(statements.keys().next().value!);
      }
      statements.set(sql, stmt);
      return stmt;
    },
  };
}
