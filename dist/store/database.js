import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { migrations } from './migrations/index.js';
import { isPostgres } from './migrations/util.js';
import { Conflict } from '../core/errors.js';
/** Opens the durable store: PostgreSQL when `databaseUrl` is set, else `data-dir/kaifang.sqlite`. */
export async function openStore(options) {
    if (options.databaseUrl) {
        const schema = options.databaseSchema;
        if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
            throw new Error(`KAIFANG_DB_SCHEMA: "${schema}" is not a plain lower-case identifier`);
        }
        // Loaded only when configured: the embedded default never pays for the driver (~15 MB RSS).
        const { default: pg } = await import('pg');
        if (schema) {
            const client = new pg.Client({ connectionString: options.databaseUrl });
            await client.connect();
            try {
                await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
            }
            finally {
                await client.end();
            }
        }
        const pool = new pg.Pool({
            connectionString: options.databaseUrl,
            max: 10,
            // bigint columns hold millisecond times and ids, all well inside 2^53: read them as numbers.
            types: {
                getTypeParser: (oid, format) => oid === 20 ? (v) => Number(v) : pg.types.getTypeParser(oid, format),
            },
            ...(schema ? { options: `-c search_path=${schema}` } : {}),
        });
        const db = new Kysely({ dialect: new PostgresDialect({ pool }) });
        return { db, dialect: 'postgres', close: () => db.destroy() };
    }
    mkdirSync(options.dataDir, { recursive: true });
    const sqlitePath = join(options.dataDir, 'kaifang.sqlite');
    const sqlite = new SQLite(sqlitePath);
    // WAL lets several processes share the file; NORMAL sync keeps a committed write through a
    // process crash (kill -9) without an fsync per request. busy_timeout waits out other writers.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    const db = new Kysely({ dialect: new SqliteDialect({ database: sqlite }) });
    return { db, dialect: 'sqlite', sqlitePath, sqlite, close: () => db.destroy() };
}
/**
 * Brings the schema up to date; safe to run from several processes at once (Kysely locks). With a
 * PostgreSQL schema, Kysely's own tables go there too: left to itself Kysely looks for them in any
 * schema of the database and, finding another deployment's, would skip creating ours.
 */
export async function migrateToLatest(db, schema) {
    const migrator = new Migrator({
        db,
        provider: { getMigrations: async () => migrations },
        ...(schema ? { migrationTableSchema: schema } : {}),
    });
    const { error, results } = await (isPostgres(db) ? migrator.migrateToLatest() : withSqliteMigrationLock(db, () => migrator.migrateToLatest()));
    if (error)
        throw error instanceof Error ? error : new Error(String(error));
    return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
/**
 * Kysely's migration lock is a no-op on SQLite (it assumes one connection), so two processes
 * starting on one fresh file both ran the migrations and one failed ("table … already exists").
 * An exclusive transaction on a small lock database beside the file serializes them across
 * processes; the later one then finds the migrations applied.
 */
async function withSqliteMigrationLock(db, run) {
    const { rows } = await sql `pragma database_list`.execute(db);
    const file = rows.find((r) => r.name === 'main')?.file;
    if (!file)
        return run(); // an in-memory database: no other process can share it
    const lock = new SQLite(`${file}-migrate.lock`);
    try {
        lock.pragma('busy_timeout = 120000');
        lock.exec('BEGIN EXCLUSIVE');
        try {
            return await run();
        }
        finally {
            lock.exec('COMMIT');
        }
    }
    finally {
        lock.close();
    }
}
/** True when the database answers; for /readyz. */
export async function pingStore(db) {
    await sql `select 1`.execute(db);
}
/**
 * Runs an insert and turns a unique-index violation into `Conflict(message)`: the index, not a
 * read before the write, decides which of two racing creations wins, on SQLite and PostgreSQL.
 */
export async function insertUnique(insert, message) {
    try {
        return await insert;
    }
    catch (err) {
        const code = err.code;
        // SQLite: SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY; PostgreSQL: 23505 unique_violation.
        if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505')
            throw new Conflict(message);
        throw err;
    }
}
