import { sql, type Kysely } from 'kysely';
import type SQLite from 'better-sqlite3';
import { keyFingerprint, SecretBox } from '../kernel/secrets.ts';
import type { Database } from '../store/schema.ts';
import { MASTER_KEY_CHECK } from './masterKeyCheck.ts';

/**
 * Re-sealing every secret of a store under another master key. The sealed columns are found in
 * the store itself, by the naming convention every table follows (`*_sealed`), not from a list:
 * a front added later is covered without a change here. The check row (`platform_meta`) is
 * re-sealed with them, and the store records the new key's fingerprint, which tells running
 * processes to seal with it.
 */

/** A sealed column: its table and name. */
export interface SealedColumn {
  table: string;
  column: string;
}

export interface Resealed {
  columns: SealedColumn[];
  /** Values sealed under the new key by this run. */
  resealed: number;
  /** Values that already were (a second run, or a process that sealed with the new key). */
  alreadyNew: number;
}

/** Values that none of the keys opens: nothing was changed. */
export class UnknownKey extends Error {
  override readonly name = 'UnknownKey';
}

const SEALED_NAME = /^[a-z0-9_]+_sealed$/;

/** Every `*_sealed` column of the store's tables (SQLite). */
export function sealedColumnsSqlite(sqlite: SQLite.Database): SealedColumn[] {
  return (
    sqlite
      .prepare(
        `SELECT m.name AS "table", p.name AS "column" FROM sqlite_master m JOIN pragma_table_info(m.name) p
         WHERE m.type = 'table' AND p.name LIKE '%\\_sealed' ESCAPE '\\' ORDER BY 1, 2`,
      )
      .all() as SealedColumn[]
  ).filter((c) => SEALED_NAME.test(c.column));
}

/** Every `*_sealed` column of the store's tables (PostgreSQL, the connection's schema). */
export async function sealedColumnsPostgres(db: Kysely<Database>): Promise<SealedColumn[]> {
  const { rows } = await sql<SealedColumn>`SELECT table_name AS "table", column_name AS "column" FROM information_schema.columns
    WHERE table_schema = current_schema() AND column_name LIKE '%\\_sealed' ESCAPE '\\' ORDER BY 1, 2`.execute(db);
  return rows.filter((c) => SEALED_NAME.test(c.column));
}

/** What to do with one sealed value: nothing (already under the new key), a new value, or it opens with no key. */
function reseal(value: string, from: SecretBox, to: SecretBox): string | 'new' | undefined {
  try {
    to.open(value);
    return 'new';
  } catch {
    /* not under the new key */
  }
  try {
    return to.seal(from.open(value));
  } catch {
    return undefined;
  }
}

/**
 * Re-seals, in one transaction on the SQLite handle (BEGIN IMMEDIATE: servers keep writing around
 * it, between their own transactions), every sealed value that `from` opens under `to`. An update
 * changes a value only if it is still the one read (a secret rotated meanwhile is not overwritten).
 */
export function resealSqlite(sqlite: SQLite.Database, from: SecretBox, to: SecretBox): Resealed {
  const run = sqlite.transaction((): Resealed => {
    const columns = sealedColumnsSqlite(sqlite);
    let resealed = 0;
    let alreadyNew = 0;
    let unknown = 0;
    const apply = (values: string[], update: (next: string, old: string) => void) => {
      for (const value of values) {
        const next = reseal(value, from, to);
        if (next === 'new') alreadyNew++;
        else if (next === undefined) unknown++;
        else {
          update(next, value);
          resealed++;
        }
      }
    };
    for (const { table, column } of columns) {
      const values = (sqlite.prepare(`SELECT "${column}" AS v FROM "${table}" WHERE "${column}" IS NOT NULL`).all() as { v: string }[]).map(
        (r) => r.v,
      );
      const update = sqlite.prepare(`UPDATE "${table}" SET "${column}" = ? WHERE "${column}" = ?`);
      apply(values, (next, old) => update.run(next, old));
    }
    const check = sqlite.prepare('SELECT value FROM platform_meta WHERE name = ?').get(MASTER_KEY_CHECK.name) as
      | { value: string }
      | undefined;
    if (check)
      apply([check.value], (next) => sqlite.prepare('UPDATE platform_meta SET value = ? WHERE name = ?').run(next, MASTER_KEY_CHECK.name));
    if (unknown > 0) throw new UnknownKey(`${unknown} sealed values open with none of the keys given: nothing was changed`);
    sqlite
      .prepare('INSERT INTO platform_meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value')
      .run('master_key_id', to.fingerprint);
    return { columns, resealed, alreadyNew };
  });
  return run.immediate();
}

/** The same on PostgreSQL, in one transaction; the rows read are locked (FOR UPDATE) until it commits. */
export async function resealPostgres(db: Kysely<Database>, from: SecretBox, to: SecretBox): Promise<Resealed> {
  return db.transaction().execute(async (trx) => {
    const columns = await sealedColumnsPostgres(trx);
    let resealed = 0;
    let alreadyNew = 0;
    let unknown = 0;
    for (const { table, column } of columns) {
      const { rows } = await sql<{
        v: string;
      }>`SELECT ${sql.ref(column)} AS v FROM ${sql.table(table)} WHERE ${sql.ref(column)} IS NOT NULL FOR UPDATE`.execute(trx);
      for (const { v } of rows) {
        const next = reseal(v, from, to);
        if (next === 'new') alreadyNew++;
        else if (next === undefined) unknown++;
        else {
          await sql`UPDATE ${sql.table(table)} SET ${sql.ref(column)} = ${next} WHERE ${sql.ref(column)} = ${v}`.execute(trx);
          resealed++;
        }
      }
    }
    const check = await trx
      .selectFrom('platform_meta')
      .select('value')
      .where('name', '=', MASTER_KEY_CHECK.name)
      .forUpdate()
      .executeTakeFirst();
    if (check) {
      const next = reseal(check.value, from, to);
      if (next === undefined) unknown++;
      else if (next !== 'new')
        await trx.updateTable('platform_meta').set({ value: next }).where('name', '=', MASTER_KEY_CHECK.name).execute();
    }
    if (unknown > 0) throw new UnknownKey(`${unknown} sealed values open with none of the keys given: nothing was changed`);
    await trx
      .insertInto('platform_meta')
      .values({ name: 'master_key_id', value: to.fingerprint })
      .onConflict((oc) => oc.column('name').doUpdateSet({ value: to.fingerprint }))
      .execute();
    return { columns, resealed, alreadyNew };
  });
}

/** A box that seals with `key` only (the target of a rotation). */
export function boxOf(key: Buffer): SecretBox {
  return new SecretBox(key);
}

export { keyFingerprint };
