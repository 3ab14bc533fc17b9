/** Migrations stay portable across SQLite and PostgreSQL; only the auto-increment id differs. */
export function isPostgres(db) {
    return db.getExecutor().adapter.constructor.name === 'PostgresAdapter';
}
export function withId(db, table) {
    return isPostgres(db)
        ? table.addColumn('id', 'bigserial', (c) => c.primaryKey())
        : table.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}
