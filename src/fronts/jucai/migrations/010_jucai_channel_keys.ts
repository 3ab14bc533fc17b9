import { type Kysely, sql } from 'kysely';

/**
 * Each channel gets one text key, `<merchant row id>:<wayCode>`, unique: the id the sealed-credential
 * base (core/credentials.ts) names a row by, so that a UNIONPAY channel's bridge secret is sealed,
 * rotated and opened there like every other secret instead of beside it. Existing rows get theirs
 * here; their sealed secrets stay as they are (the same master key opens them).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('jucai_channels').addColumn('channel_key', 'text').execute();
  await sql`update jucai_channels set channel_key = cast(mch_ref as text) || ':' || way_code`.execute(db);
  await db.schema.createIndex('jucai_channels_channel_key').unique().on('jucai_channels').column('channel_key').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('jucai_channels_channel_key').execute();
  await db.schema.alterTable('jucai_channels').dropColumn('channel_key').execute();
}
