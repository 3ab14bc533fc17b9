import { withId } from './util.js';
/** storepos (超赢) agents, WeChat mini-programs, and which agent may use which mini-program. */
export async function up(db) {
    await withId(db, db.schema.createTable('storepos_agents'))
        .addColumn('agent_id', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('key_sealed', 'text', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('sms_daily_cap', 'integer')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
    await withId(db, db.schema.createTable('wechat_miniapps'))
        .addColumn('appid', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('secret_sealed', 'text', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
    await db.schema
        .createTable('storepos_grants')
        .addColumn('agent_ref', 'bigint', (c) => c.notNull().references('storepos_agents.id').onDelete('cascade'))
        .addColumn('miniapp_ref', 'bigint', (c) => c.notNull().references('wechat_miniapps.id').onDelete('cascade'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('storepos_grants_pk', ['agent_ref', 'miniapp_ref'])
        .execute();
}
export async function down(db) {
    await db.schema.dropTable('storepos_grants').execute();
    await db.schema.dropTable('wechat_miniapps').execute();
    await db.schema.dropTable('storepos_agents').execute();
}
