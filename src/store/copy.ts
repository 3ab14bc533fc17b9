import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { Store } from './database.ts';

/**
 * The platform's durable tables, in an order that satisfies the foreign keys (the migrations'
 * order). Each front lists its own (`store.tables` in its descriptor) and `server/storeLayout.ts`
 * puts them after these; a table added by a migration belongs in one of those lists or in
 * NOT_COPIED, and a test holds that.
 */
export const PLATFORM_TABLES = [
  'platform_meta',
  'call_log',
  'sandbox_sms_outbox',
  'idempotency_records',
  'bearer_tokens',
  'wechat_miniapps',
  'wechat_pay_merchants',
  'wechat_official_accounts',
  'sandbox_template_messages',
  'sandbox_wechat_tokens',
  'admin_tokens',
  'audit_log',
] as const satisfies readonly (keyof Database)[];

/** What the copy leaves behind, and what that means for the minutes after the move. */
export const NOT_COPIED: Partial<Record<keyof Database, string>> = {
  kv_state:
    'short-lived state — replay records, rate-limit windows, SMS codes and their attempt counts, daily quotas, shared upstream access tokens. After the move, a signed call already made may be accepted once more within its timestamp window, rate and daily counts start from zero, SMS codes sent before the move no longer check (ask for a new one), and upstream tokens are fetched anew',
  once_log: "the SQLite state's replay log (part of the short-lived state above)",
};

/** The target already holds data: a copy would mix two stores. */
export class TargetNotEmpty extends Error {
  override readonly name = 'TargetNotEmpty';
}

export interface CopiedTable {
  table: string;
  rows: number;
}

const BATCH = 500;

async function countRows(db: Kysely<Database>, table: string): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`SELECT COUNT(*) AS n FROM ${sql.table(table)}`.execute(db);
  return Number(rows[0]!.n);
}

/**
 * Copies every durable table of the embedded SQLite store into a PostgreSQL store whose schema is
 * up to date and empty, in one transaction: all of it or nothing. Rows keep their ids (so
 * references hold) and sealed secrets stay as they are (the same master key opens them); the id
 * sequences continue after the copied rows. Each table's row count is checked before the commit.
 */
export async function copyStore(
  source: Store,
  target: Store,
  tables: readonly (keyof Database)[],
  progress: (table: CopiedTable) => void = () => undefined,
): Promise<CopiedTable[]> {
  if (source.dialect !== 'sqlite' || !source.sqlite) throw new Error('the source must be the embedded SQLite store');
  if (target.dialect !== 'postgres') throw new Error('the target must be PostgreSQL');
  for (const table of tables) {
    const n = await countRows(target.db, table);
    if (n > 0) throw new TargetNotEmpty(`the target already holds data (${table}: ${n} rows); copy only into an empty database or schema`);
  }
  const sqlite = source.sqlite;
  // One read transaction: every table as of the same moment, even if a server still writes.
  sqlite.exec('BEGIN');
  try {
    return await copyInto(sqlite, target, tables, progress);
  } finally {
    sqlite.exec('COMMIT');
  }
}

async function copyInto(
  sqlite: NonNullable<Store['sqlite']>,
  target: Store,
  tables: readonly (keyof Database)[],
  progress: (table: CopiedTable) => void,
): Promise<CopiedTable[]> {
  return target.db.transaction().execute(async (trx) => {
    const copied: CopiedTable[] = [];
    for (const table of tables) {
      let rows = 0;
      let batch: Record<string, unknown>[] = [];
      const flush = async () => {
        if (batch.length === 0) return;
        await trx
          .insertInto(table)
          .values(batch as never)
          .execute();
        rows += batch.length;
        batch = [];
      };
      for (const row of sqlite.prepare(`SELECT * FROM "${table}"`).iterate() as Iterable<Record<string, unknown>>) {
        batch.push(row);
        if (batch.length >= BATCH) await flush();
      }
      await flush();
      const hasId = (sqlite.prepare(`SELECT 1 FROM pragma_table_info('${table}') WHERE name = 'id'`).get() as unknown) !== undefined;
      if (hasId) {
        // The next id continues after the copied ones (or starts at 1 for an empty table).
        await sql`SELECT setval(pg_get_serial_sequence(${table}, 'id'), COALESCE((SELECT MAX(id) FROM ${sql.table(table)}), 1), (SELECT MAX(id) FROM ${sql.table(table)}) IS NOT NULL)`.execute(
          trx,
        );
      }
      const there = await countRows(trx, table);
      const here = (sqlite.prepare(`SELECT COUNT(*) AS n FROM "${table}"`).get() as { n: number }).n;
      if (there !== here || rows !== here)
        throw new Error(`${table}: ${here} rows in the source, ${there} in the target after the copy; nothing was committed`);
      copied.push({ table, rows });
      progress({ table, rows });
    }
    return copied;
  });
}
