import { chmodSync, copyFileSync, existsSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { ensureDirectory } from '../kernel/files.ts';
import { resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { opens } from '../core/masterKeyCheck.ts';
import { SecretBox } from '../kernel/secrets.ts';
import { KAIFANG_VERSION } from '../kernel/version.ts';
import { parseMasterKey } from '../server/bootstrap.ts';
import { withStoreStopped } from '../store/serveLock.ts';
import type { Command } from 'commander';
import { redactUrl } from '../kernel/settings.ts';
import { output } from '../fronts/kit/cli.ts';
import { copyStore, NOT_COPIED, type CopiedTable } from '../store/copy.ts';
import { createPrivate, migrateToLatest, openStore, pendingMigrations, sqliteFile, type Store } from '../store/database.ts';
import { sql } from 'kysely';
import { configFrom, fail, requireStore } from './context.ts';
import { durableTables, migrations } from '../server/storeLayout.ts';

interface CopyOptions {
  to: string;
  toSchema?: string;
  dataDir?: string;
  json?: boolean;
}

/**
 * `kaifang store copy --to postgres://…`: the embedded SQLite store grows into PostgreSQL. The
 * target's schema is made (migrations), the copy refuses a target that holds data, and every
 * table's row count is checked before one commit.
 */
export function storeCommand(program: Command): void {
  const store = program
    .command('store')
    .description('the durable store itself: back up and restore the embedded SQLite store, move it to PostgreSQL');
  store
    .command('copy')
    .description('copy every durable table of the SQLite store in the data directory into an empty PostgreSQL database (or schema)')
    .requiredOption('--to <databaseUrl>', 'the PostgreSQL URL the servers will use (their DATABASE_URL)')
    .option('--to-schema <schema>', 'a PostgreSQL schema to copy into (their KAIFANG_DB_SCHEMA, the default; created if missing)')
    .option('--data-dir <dir>', 'data directory of the SQLite store (KAIFANG_DATA_DIR)')
    .option('--json', 'print JSON')
    .action(async (options: CopyOptions) => {
      try {
        await copy(options);
      } catch (err) {
        fail(err);
      }
    });
  store
    .command('backup <file>')
    .description('write a consistent copy of the embedded SQLite store to <file> (SQLite online backup: safe while servers run)')
    .option('--data-dir <dir>', 'data directory of the SQLite store (KAIFANG_DATA_DIR)')
    .option('--json', 'print JSON')
    .action(async (file: string, options: { dataDir?: string; json?: boolean }) => {
      try {
        await backup(file, options);
      } catch (err) {
        fail(err);
      }
    });
  store
    .command('restore <file>')
    .description('replace the embedded SQLite store with a backup (every server on it must be stopped; the old store is kept beside it)')
    .option('--data-dir <dir>', 'data directory of the SQLite store (KAIFANG_DATA_DIR)')
    .option('--json', 'print JSON')
    .action(async (file: string, options: { dataDir?: string; json?: boolean }) => {
      try {
        await restore(file, options);
      } catch (err) {
        fail(err);
      }
    });
}

const ON_POSTGRES =
  'on PostgreSQL, back up with pg_dump and restore with pg_restore (see "Backups" in the README); this command is for the embedded SQLite store';

/** A backup file: checked as a kaifang store this build can serve; what it holds. */
function inspectBackup(file: string): { migrations: string[]; sealed: string | undefined } {
  if (!existsSync(file)) throw new Error(`${file} does not exist`);
  const db = new SQLite(file, { readonly: true, fileMustExist: true });
  try {
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new Error(`${file} is damaged (SQLite quick_check: ${String(check)})`);
    const names = (() => {
      try {
        return (db.prepare('SELECT name FROM kysely_migration ORDER BY name').all() as { name: string }[]).map((r) => r.name);
      } catch {
        throw new Error(`${file} is not a kaifang store (it has no kysely_migration table)`);
      }
    })();
    const last = Object.keys(migrations).sort().at(-1) ?? '';
    const newer = names.filter((n) => n > last && !(n in migrations));
    if (newer.length > 0)
      throw new Error(
        `${file} was made by a newer kaifang (migration ${newer.at(-1)}; this build, kaifang ${KAIFANG_VERSION}, knows up to ${last}): restore it with that version`,
      );
    const row = db.prepare("SELECT value FROM platform_meta WHERE name = 'master_key_check'").get() as { value: string } | undefined;
    return { migrations: names, sealed: row?.value };
  } finally {
    db.close();
  }
}

async function backup(file: string, options: { dataDir?: string; json?: boolean }): Promise<void> {
  const config = configFrom(options);
  if (config.databaseUrl) throw new Error(ON_POSTGRES);
  await requireStore(config);
  const target = resolve(file);
  if (existsSync(target)) throw new Error(`${target} exists: name a new file (a backup never overwrites one)`);
  const source = new SQLite(sqliteFile(config.dataDir), { readonly: true, fileMustExist: true });
  try {
    // The file is the owner's alone (it holds every sealed secret and hash), before a byte is in it.
    createPrivate(target);
    // SQLite's online backup: pages copied from one read transaction, with whatever the WAL holds
    // (a copy of the file alone misses the last writes). The first step copies 100 pages; the rest
    // goes in one step, so writes of a running server (which restart a stepped backup) cannot
    // keep it from finishing.
    await source.backup(target, { progress: () => 1_000_000_000 });
  } catch (err) {
    rmSync(target, { force: true });
    throw err;
  } finally {
    source.close();
  }
  const copy = new SQLite(target);
  try {
    // One self-contained file: no -wal beside it.
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
  chmodSync(target, 0o600);
  const { migrations: applied } = inspectBackup(target);
  const result = {
    from: sqliteFile(resolve(config.dataDir)),
    to: target,
    bytes: statSync(target).size,
    schema: applied.at(-1) ?? '',
    note: `the backup holds the secrets sealed under the master key (${config.masterKey ? 'KAIFANG_MASTER_KEY' : resolve(config.dataDir, 'master.key')}): keep a copy of the key too, apart from the backup; without it the secrets cannot be read`,
  };
  output(options.json, result, () =>
    [`backed up ${result.from} to ${result.to} (${result.bytes} bytes, schema ${result.schema})`, result.note].join('\n'),
  );
}

async function restore(file: string, options: { dataDir?: string; json?: boolean }): Promise<void> {
  const config = configFrom(options);
  if (config.databaseUrl) throw new Error(ON_POSTGRES);
  const from = resolve(file);
  const { sealed } = inspectBackup(from);
  // The backup's secrets must open with the key the servers will have, or every signed call fails.
  if (sealed !== undefined) {
    const keyFile = resolve(config.dataDir, 'master.key');
    const text = config.masterKey ?? (existsSync(keyFile) ? readFileSync(keyFile, 'utf8') : undefined);
    if (text === undefined)
      throw new Error(`no master key to check the backup with: put the store's key in ${keyFile} or set KAIFANG_MASTER_KEY, then restore`);
    const keys = [parseMasterKey(text, config.masterKey ? 'KAIFANG_MASTER_KEY' : keyFile)];
    if (config.masterKeyPrevious) keys.push(parseMasterKey(config.masterKeyPrevious, 'KAIFANG_MASTER_KEY_PREVIOUS'));
    if (!keys.some((key) => opens(new SecretBox(key), sealed)))
      throw new Error(
        `the secrets in ${from} were sealed with another master key than ${config.masterKey ? 'KAIFANG_MASTER_KEY' : keyFile}: restore the key that was in use when the backup was made, then the backup`,
      );
  }
  const dir = resolve(config.dataDir);
  ensureDirectory(dir, 0o700);
  const path = sqliteFile(dir);
  const result = await withStoreStopped(path, () => {
    let kept: string | undefined;
    if (existsSync(path)) {
      // Fold the WAL into the file, then keep the file aside: a restore is undone by restoring it.
      const old = new SQLite(path, { fileMustExist: true });
      try {
        old.pragma('wal_checkpoint(TRUNCATE)');
      } finally {
        old.close();
      }
      kept = `${path}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      renameSync(path, kept);
      for (const extra of ['-wal', '-shm']) rmSync(path + extra, { force: true });
    }
    const tmp = `${path}.restoring`;
    rmSync(tmp, { force: true });
    createPrivate(tmp);
    copyFileSync(from, tmp);
    renameSync(tmp, path);
    return { from, to: path, kept: kept ?? null };
  });
  output(options.json, result, () =>
    [
      `restored ${result.from} to ${result.to}`,
      ...(result.kept ? [`the store it replaced is kept as ${result.kept}`] : []),
      'start kaifang serve on it',
    ].join('\n'),
  );
}

async function copy(options: CopyOptions): Promise<void> {
  const config = configFrom(options);
  if (config.databaseUrl)
    throw new Error(
      'the source of a copy is the embedded SQLite store: unset DATABASE_URL and point at its data directory (--data-dir or KAIFANG_DATA_DIR)',
    );
  if (!/^postgres(ql)?:\/\//.test(options.to)) throw new Error(`--to must be a postgres:// URL, got "${redactUrl(options.to)}"`);
  await requireStore(config);
  // KAIFANG_DB_SCHEMA, which the servers will have, is where the copy goes unless --to-schema says.
  const toSchema = options.toSchema ?? config.databaseSchema;
  const source = await openStore(config);
  try {
    // The source is read, never changed: one whose schema is behind this build is migrated first, by the operator.
    const pending = await pendingMigrations(source.db, migrations);
    if (pending.length > 0)
      throw new Error(
        `the store ${source.sqlitePath} is older than this build (${pending.join(', ')} to run): run \`kaifang migrate\` on it first`,
      );
    const target = await openStore({ dataDir: config.dataDir, databaseUrl: options.to, databaseSchema: toSchema });
    try {
      await migrateToLatest(target.db, migrations, toSchema);
      // The migration recorded this build's version in the new schema; the source's record comes with the copy.
      const meta = await target.db.selectFrom('platform_meta').select('name').execute();
      if (meta.length === 1 && meta[0]!.name === 'kaifang_version') await target.db.deleteFrom('platform_meta').execute();
      const copied: CopiedTable[] = await copyStore(source, target, durableTables, (t) => {
        if (!options.json) process.stderr.write(`  ${t.table.padEnd(28)} ${t.rows} rows\n`);
      });
      const masterKey = config.masterKey
        ? 'KAIFANG_MASTER_KEY (the same value)'
        : `KAIFANG_MASTER_KEY="$(cat ${resolve(config.dataDir, 'master.key')})"`;
      const result = {
        from: source.sqlitePath,
        to: `${redactUrl(options.to)} (schema ${toSchema ?? (await currentSchema(target))})`,
        tables: copied,
        notCopied: Object.entries(NOT_COPIED).map(([table, what]) => ({ table, what })),
        next: `start the servers with DATABASE_URL=${redactUrl(options.to)}${toSchema ? ` KAIFANG_DB_SCHEMA=${toSchema}` : ''} ${masterKey}, KAIFANG_ADMIN_TOKEN="$(cat ${resolve(config.dataDir, 'admin.token')})" (or the one you set), and REDIS_URL for several processes`,
      };
      output(options.json, result, () =>
        [
          `copied ${copied.reduce((n, t) => n + t.rows, 0)} rows in ${copied.length} tables from ${result.from} to ${result.to}; every table's row count matches`,
          'not copied:',
          ...result.notCopied.map((n) => `  ${n.table}: ${n.what}`),
          `next: ${result.next}`,
        ].join('\n'),
      );
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}

/** The schema a PostgreSQL store's tables went to when none was named (the search path's first). */
async function currentSchema(store: Store): Promise<string> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(store.db);
  return rows[0]?.schema ?? 'public';
}
