import type { Kysely } from 'kysely';
import { createWechatMiniapps } from '../../../store/migrations/platformTables.ts';
import { withId } from '../../../store/migrations/util.ts';

/** storepos (超赢) agents, WeChat mini-programs, and which agent may use which mini-program. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await withId(db, db.schema.createTable('storepos_agents'))
    .addColumn('agent_id', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('key_sealed', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('sms_daily_cap', 'integer')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await createWechatMiniapps(db);

  await db.schema
    .createTable('storepos_grants')
    .addColumn('agent_ref', 'bigint', (c) => c.notNull().references('storepos_agents.id').onDelete('cascade'))
    .addColumn('miniapp_ref', 'bigint', (c) => c.notNull().references('wechat_miniapps.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('storepos_grants_pk', ['agent_ref', 'miniapp_ref'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('storepos_grants').execute();
  await db.schema.dropTable('wechat_miniapps').execute();
  await db.schema.dropTable('storepos_agents').execute();
}
