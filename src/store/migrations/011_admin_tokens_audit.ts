import type { Kysely } from 'kysely';
import { withId } from './util.ts';

/**
 * The admin API's tokens and the operators' audit trail. `admin_tokens` holds only the SHA-256 of
 * each token (they are 256-bit random, so a plain hash cannot be reversed): the rotated root token
 * (name `root`) and the named scoped ones. `audit_log` records every admin write, API or CLI — who,
 * what, when, on which object — and never a secret.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await withId(db, db.schema.createTable('admin_tokens'))
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('hash', 'text', (c) => c.notNull().unique())
    // 'root' (the file's token once rotated), 'write' or 'read'.
    .addColumn('scope', 'text', (c) => c.notNull())
    // A JSON array of front names the token is limited to; null = every front.
    .addColumn('fronts', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .execute();

  await withId(db, db.schema.createTable('audit_log'))
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('front', 'text')
    .addColumn('object_id', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('detail', 'text')
    .addColumn('request_id', 'text')
    .execute();
  await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('audit_log').execute();
  await db.schema.dropTable('admin_tokens').execute();
}
