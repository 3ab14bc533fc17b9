import { isPostgres } from './util.js';
/**
 * The embedded store's log of one-time ids (signed requests seen, for replay protection), written
 * in arrival order: appending touches the last page or two, where keeping the ids in a keyed
 * B-tree rewrote a random page per call. The SQLite state store keeps the index of the live ids in
 * memory and follows this log for the ids other processes write. PostgreSQL deployments keep
 * state in Redis or in kv_state, so the table exists only on SQLite.
 */
export async function up(db) {
    if (isPostgres(db))
        return;
    await db.schema
        .createTable('once_log')
        // The rowid: a new row gets the largest seq + 1. The sweep never deletes the newest row, so a
        // seq is never reused and a process following the log by "seq > last seen" cannot miss a row.
        // No index on expires_at: rows are in time order, so the sweep deletes a seq range.
        .addColumn('seq', 'integer', (c) => c.primaryKey())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
}
export async function down(db) {
    if (isPostgres(db))
        return;
    await db.schema.dropTable('once_log').execute();
}
