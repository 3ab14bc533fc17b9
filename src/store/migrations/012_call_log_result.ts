import type { Kysely } from 'kysely';

/**
 * `call_log.result`: what became of a call in the words every front shares (ok, refused,
 * upstream_error, error), beside the front's own outcome code. Rows logged before this migration
 * keep it NULL: only the front that wrote them knew what their outcome meant.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('call_log').addColumn('result', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('call_log').dropColumn('result').execute();
}
