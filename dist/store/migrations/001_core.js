import { sql } from 'kysely';
import { isPostgres, withId } from './util.js';
export async function up(db) {
    const kvState = db.schema
        .createTable('kv_state')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('n', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('expires_at', 'bigint', (c) => c.notNull());
    // On SQLite the table is its primary-key B-tree (no separate rowid tree): one structure fewer
    // to write on every signed request (measured ~15 µs of ~60 per state write).
    await (isPostgres(db) ? kvState : kvState.modifyEnd(sql `without rowid`)).execute();
    await db.schema.createIndex('kv_state_expires_at').on('kv_state').column('expires_at').execute();
    await withId(db, db.schema.createTable('call_log'))
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('front', 'text', (c) => c.notNull())
        .addColumn('endpoint', 'text', (c) => c.notNull())
        .addColumn('credential', 'text')
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('latency_ms', 'real', (c) => c.notNull())
        .addColumn('request_id', 'text', (c) => c.notNull())
        .execute();
    await db.schema.createIndex('call_log_at').on('call_log').column('at').execute();
    await db.schema.createIndex('call_log_credential_at').on('call_log').columns(['credential', 'at']).execute();
}
export async function down(db) {
    await db.schema.dropTable('call_log').execute();
    await db.schema.dropTable('kv_state').execute();
}
