import { closeSync, existsSync, openSync } from 'node:fs';
import { ensureDirectory } from '../kernel/files.ts';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type Migration } from 'kysely';
import { isPostgres } from './migrations/util.ts';
import { applyConnectionPragmas } from './sqlitePragmas.ts';
import { withStatementCache } from './statementCache.ts';
import type { Database } from './schema.ts';
import { KAIFANG_VERSION } from '../kernel/version.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface StoreOptions {
  dataDir: string;
  databaseUrl?: string | undefined;
  databaseSchema?: string | undefined;
}

export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  /** The SQLite file, when that is the store (tests and the CLI show it). */
  readonly sqlitePath?: string;
  /** The better-sqlite3 handle, for the hot-path state statements. */
  readonly sqlite?: SQLite.Database;
  close(): Promise<void>;
}

/** The SQLite file of the embedded store in `dataDir`. */
export const sqliteFile = (dataDir: string) => join(dataDir, 'kaifang.sqlite');

/**
 * Whether a kaifang store is there already (its migrations table exists), without creating
 * anything: the operator commands refuse to work on a place that holds none.
 */
export async function storeExists(options: StoreOptions): Promise<boolean> {
  if (!options.databaseUrl) return existsSync(sqliteFile(options.dataDir));
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: options.databaseUrl });
  await connectPostgres(client);
  try {
    const { rows } = await client.query(
      `SELECT 1 FROM information_schema.tables WHERE table_name = 'kysely_migration' AND table_schema = ${options.databaseSchema ? '$1' : 'current_schema()'}`,
      options.databaseSchema ? [options.databaseSchema] : [],
    );
    return rows.length > 0;
  } finally {
    await client.end();
  }
}

/** Connects, naming DATABASE_URL when PostgreSQL cannot be reached (the driver's message alone names only a host). */
async function connectPostgres(client: { connect(): Promise<unknown> }): Promise<void> {
  try {
    await client.connect();
  } catch (err) {
    throw new Error(`DATABASE_URL: cannot connect to PostgreSQL (${(err as Error).message})`, { cause: err });
  }
}

/** Opens the durable store: PostgreSQL when `databaseUrl` is set, else `data-dir/kaifang.sqlite`. */
export async function openStore(options: StoreOptions): Promise<Store> {
  if (options.databaseUrl) {
    const schema = options.databaseSchema;
    if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
      throw new Error(`KAIFANG_DB_SCHEMA: "${schema}" is not a plain lower-case identifier`);
    }
    // Loaded only when configured: the embedded default never pays for the driver (~15 MB RSS).
    const { default: pg } = await import('pg');
    if (schema) {
      const client = new pg.Client({ connectionString: options.databaseUrl });
      await connectPostgres(client);
      try {
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      } catch (err) {
        // Two processes creating it at once: IF NOT EXISTS is not atomic in PostgreSQL, and the
        // loser hears a unique violation (or "already exists"); the schema is there either way.
        const code = (err as { code?: string }).code;
        if (code !== '23505' && code !== '42P06') throw err;
      } finally {
        await client.end();
      }
    }
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: 10,
      // bigint columns hold millisecond times and ids, all well inside 2^53: read them as numbers.
      types: {
        getTypeParser: (oid: number, format?: 'text' | 'binary') =>
          oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text'),
      },
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
      // A new connection that PostgreSQL does not accept within this fails the query, not hangs it.
      connectionTimeoutMillis: 10_000,
    });
    // A connection that PostgreSQL closes (a restart, a failover, a network cut) fails the queries
    // on it and is dropped from the pool; the next query opens a new one. Its error event, unheard
    // (pg-pool hears only idle connections' errors), would end the process.
    pool.on('error', () => undefined);
    pool.on('connect', (client) => client.on('error', () => undefined));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    try {
      await sql`select 1`.execute(db);
    } catch (err) {
      await db.destroy();
      throw new Error(`DATABASE_URL: cannot connect to PostgreSQL (${(err as Error).message})`, { cause: err });
    }
    return { db, dialect: 'postgres', close: () => db.destroy() };
  }
  // A new store's directory and files are the owner's alone (the WAL and shared-memory files take
  // the database file's mode); an existing one keeps what it has.
  ensureDirectory(options.dataDir, 0o700);
  const sqlitePath = sqliteFile(options.dataDir);
  createPrivate(sqlitePath);
  const sqlite = new SQLite(sqlitePath);
  applyConnectionPragmas(sqlite);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  const close = async () => {
    await db.destroy();
    // Kysely opens its driver on its first query and closes only what it opened: a store used only
    // through `sqlite` (the embedded state) would keep the file open.
    if (sqlite.open) sqlite.close();
  };
  return { db, dialect: 'sqlite', sqlitePath, sqlite, close };
}

/** Creates an empty file with mode 0600 unless it exists. */
export function createPrivate(path: string): void {
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

/** The schema Kysely's own tables go to on PostgreSQL: the one named, else the connection's current one. */
async function migrationSchema(db: Kysely<Database>, schema: string | undefined): Promise<string | undefined> {
  if (schema || !isPostgres(db as unknown as Kysely<unknown>)) return schema;
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  return rows[0]?.schema ?? undefined;
}

/** What the store says of the build that last migrated it (platform_meta), when it says. */
async function versionThatMigrated(db: Kysely<Database>): Promise<string | undefined> {
  try {
    const row = await db.selectFrom('platform_meta').select('value').where('name', '=', 'kaifang_version').executeTakeFirst();
    return row?.value;
  } catch {
    return undefined;
  }
}

/**
 * The migrations of this build the store has not run, without running them or creating anything
 * (the operator commands read; only `serve` and `migrate` change the schema). Throws
 * StoreNewerThanBuild as `migrateToLatest` does.
 */
export async function pendingMigrations(
  db: Kysely<Database>,
  migrations: Readonly<Record<string, Migration>>,
  schema?: string,
): Promise<string[]> {
  const target = await migrationSchema(db, schema);
  await migrationsOfRemovedFronts(db, migrations, target);
  const applied = new Set(await appliedMigrations(db, target));
  return Object.keys(migrations)
    .sort()
    .filter((name) => !applied.has(name));
}

async function appliedMigrations(db: Kysely<Database>, schema: string | undefined): Promise<string[]> {
  try {
    const table = schema ? `${schema}.kysely_migration` : 'kysely_migration';
    const { rows } = await sql<{ name: string }>`SELECT name FROM ${sql.table(table)}`.execute(db);
    return rows.map((r) => r.name);
  } catch {
    return []; // a new store: nothing ran yet
  }
}

/**
 * Brings the schema up to date with `migrations` (the platform's and the fronts', see
 * `server/storeLayout.ts`); safe to run from several processes at once (Kysely locks). With a
 * PostgreSQL schema, Kysely's own tables go there too: left to itself Kysely looks for them in any
 * schema of the database and, finding another deployment's, would skip creating ours.
 */
export async function migrateToLatest(
  db: Kysely<Database>,
  migrations: Readonly<Record<string, Migration>>,
  named?: string,
): Promise<string[]> {
  const schema = await migrationSchema(db, named);
  const all = { ...migrations, ...(await migrationsOfRemovedFronts(db, migrations, schema)) };
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => all },
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const postgres = isPostgres(db as unknown as Kysely<unknown>);
  let outcome = await (postgres ? migrator.migrateToLatest() : withSqliteMigrationLock(db, () => migrator.migrateToLatest()));
  // Kysely looks for its tables in every schema of the database (pg_get_serial_sequence on each
  // column): another deployment's schema, table or column dropped during that scan fails it with
  // 3F000 "schema does not exist", 42P01 "relation … does not exist" or 42703 "column … does not
  // exist" (naming the other schema's table; the last seen once in the suite, for another
  // schema's kysely_migration). The migrator applies only what is pending, so the next scan (which
  // no longer sees what was dropped) carries on safely; a migration's own error comes back the
  // same each time.
  const droppedMeanwhile = (err: unknown) => ['3F000', '42P01', '42703'].includes((err as { code?: string } | undefined)?.code ?? '');
  for (let retries = 5; postgres && retries > 0 && droppedMeanwhile(outcome.error); retries--) {
    outcome = await migrator.migrateToLatest();
  }
  const { error, results } = outcome;
  if (error) throw error instanceof Error ? error : new Error(String(error));
  const applied = (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
  // Which kaifang last changed the schema: an older build that finds the store newer names it.
  if (applied.length > 0 || (await versionThatMigrated(db)) === undefined)
    await db
      .insertInto('platform_meta')
      .values({ name: 'kaifang_version', value: KAIFANG_VERSION })
      .onConflict((oc) => oc.column('name').doUpdateSet({ value: KAIFANG_VERSION }))
      .execute();
  return applied;
}

/** The store holds a migration this build does not have and that sorts after all of this build's. */
export class StoreNewerThanBuild extends Error {
  override readonly name = 'StoreNewerThanBuild';
}

/**
 * Migrations the store ran that this build does not have. One that sorts before this build's last
 * migration belongs to a front this build was made without (a removed front): its tables stay, and
 * it is answered with a no-op so that Kysely does not call the store corrupted. One that sorts
 * after was made by a newer build, whose tables this one would not understand: that stops here.
 */
async function migrationsOfRemovedFronts(
  db: Kysely<Database>,
  migrations: Readonly<Record<string, Migration>>,
  schema?: string,
): Promise<Record<string, Migration>> {
  const applied = await appliedMigrations(db, schema);
  const known = Object.keys(migrations).sort();
  const last = known[known.length - 1] ?? '';
  const removed: Record<string, Migration> = {};
  for (const name of applied) {
    if (name in migrations) continue;
    if (name > last) {
      const by = await versionThatMigrated(db);
      throw new StoreNewerThanBuild(
        `this store is newer than this build: kaifang ${by ?? '(a version that did not record itself)'} brought it up to date (it has migration ${name}), and this build, kaifang ${KAIFANG_VERSION}, knows migrations up to ${last}. Run kaifang ${by ?? 'of that version'} or later on it; to go back to this version, restore the backup made before the upgrade (kaifang store backup, or pg_dump). This build would not understand its tables, so it changes nothing`,
      );
    }
    removed[name] = { up: async () => undefined };
  }
  return removed;
}

/**
 * Kysely's migration lock is a no-op on SQLite (it assumes one connection), so two processes
 * starting on one fresh file both ran the migrations and one failed ("table … already exists").
 * An exclusive transaction on a small lock database beside the file serializes them across
 * processes; the later one then finds the migrations applied.
 */
async function withSqliteMigrationLock<T>(db: Kysely<Database>, run: () => Promise<T>): Promise<T> {
  const { rows } = await sql<{ name: string; file: string }>`pragma database_list`.execute(db);
  const file = rows.find((r) => r.name === 'main')?.file;
  if (!file) return run(); // an in-memory database: no other process can share it
  createPrivate(`${file}-migrate.lock`);
  const lock = new SQLite(`${file}-migrate.lock`);
  try {
    lock.pragma('busy_timeout = 120000');
    lock.exec('BEGIN EXCLUSIVE');
    try {
      return await run();
    } finally {
      lock.exec('COMMIT');
    }
  } finally {
    lock.close();
  }
}

/** True when the database answers; for /readyz. */
export async function pingStore(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}

/**
 * Throws when the database cannot be written (a read-only SQLite file or directory, a read-only
 * PostgreSQL replica or role): one small upsert, for start-up and /readyz.
 */
export async function probeWrite(db: Kysely<Database>, now: number): Promise<void> {
  await db
    .insertInto('platform_meta')
    .values({ name: 'write_probe', value: String(now) })
    .onConflict((oc) => oc.column('name').doUpdateSet({ value: String(now) }))
    .execute();
}

/**
 * True for a unique-index violation (SQLite SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY, PostgreSQL
 * 23505): the index, not a read before the write, decides which of two racing inserts wins.
 */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}
