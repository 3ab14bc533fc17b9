import { withId } from './util.js';
/** What the sandbox SMS simulators "sent": read and cleared through the admin API. */
export async function up(db) {
    await withId(db, db.schema.createTable('sandbox_sms_outbox'))
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('mobile', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('code', 'text')
        .addColumn('template', 'text')
        .execute();
    await db.schema.createIndex('sandbox_sms_outbox_mobile').on('sandbox_sms_outbox').columns(['mobile', 'id']).execute();
}
export async function down(db) {
    await db.schema.dropTable('sandbox_sms_outbox').execute();
}
