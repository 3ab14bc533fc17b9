import { sql, type RawBuilder, type SqlBool } from 'kysely';

/**
 * The admin lists' `q`: a case-insensitive substring of a resource's natural names, the same on
 * SQLite and PostgreSQL. `%`, `_` and `\` in the text are matched literally (escaped), so a search
 * for `a_b` does not also find `axb`. Case is folded with SQL `lower()` on both sides: every letter
 * on PostgreSQL, ASCII letters on SQLite (Chinese text has no case).
 */
export function likePattern(q: string): string {
  return `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Whether any of the text `columns` (qualified as the query names them) contains `q`. */
export function containsAny(columns: readonly string[], q: string): RawBuilder<SqlBool> {
  const pattern = likePattern(q);
  return sql<SqlBool>`(${sql.join(
    columns.map((column) => sql`lower(${sql.ref(column)}) like ${pattern} escape '\\'`),
    sql` or `,
  )})`;
}

/** A list's `q` as given: trimmed, and absent when blank. */
export function searchText(q: string | undefined): string | undefined {
  const text = q?.trim();
  return text ? text : undefined;
}
