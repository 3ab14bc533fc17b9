import { resolve } from 'node:path';
import type { Command } from 'commander';
import { redactUrl } from '../kernel/settings.ts';
import { output } from '../fronts/kit/cli.ts';
import { copyStore, NOT_COPIED, type CopiedTable } from '../store/copy.ts';
import { migrateToLatest, openStore } from '../store/database.ts';
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
  const store = program.command('store').description('the durable store itself: move the embedded SQLite store to PostgreSQL');
  store
    .command('copy')
    .description('copy every durable table of the SQLite store in the data directory into an empty PostgreSQL database (or schema)')
    .requiredOption('--to <databaseUrl>', 'the PostgreSQL URL the servers will use (their DATABASE_URL)')
    .option('--to-schema <schema>', 'a PostgreSQL schema to copy into (their KAIFANG_DB_SCHEMA; created if missing)')
    .option('--data-dir <dir>', 'data directory of the SQLite store (KAIFANG_DATA_DIR)')
    .option('--json', 'print JSON')
    .action(async (options: CopyOptions) => {
      try {
        await copy(options);
      } catch (err) {
        fail(err);
      }
    });
}

async function copy(options: CopyOptions): Promise<void> {
  const config = configFrom(options);
  if (config.databaseUrl)
    throw new Error(
      'the source of a copy is the embedded SQLite store: unset DATABASE_URL and point at its data directory (--data-dir or KAIFANG_DATA_DIR)',
    );
  if (!/^postgres(ql)?:\/\//.test(options.to)) throw new Error(`--to must be a postgres:// URL, got "${redactUrl(options.to)}"`);
  await requireStore(config);
  const source = await openStore(config);
  try {
    // The schema the code expects, on both sides: an old SQLite store is brought up to date first.
    await migrateToLatest(source.db, migrations);
    const target = await openStore({ dataDir: config.dataDir, databaseUrl: options.to, databaseSchema: options.toSchema });
    try {
      await migrateToLatest(target.db, migrations, options.toSchema);
      const copied: CopiedTable[] = await copyStore(source, target, durableTables, (t) => {
        if (!options.json) process.stderr.write(`  ${t.table.padEnd(28)} ${t.rows} rows\n`);
      });
      const masterKey = config.masterKey
        ? 'KAIFANG_MASTER_KEY (the same value)'
        : `KAIFANG_MASTER_KEY="$(cat ${resolve(config.dataDir, 'master.key')})"`;
      const result = {
        from: source.sqlitePath,
        to: redactUrl(options.to) + (options.toSchema ? ` (schema ${options.toSchema})` : ''),
        tables: copied,
        notCopied: Object.entries(NOT_COPIED).map(([table, what]) => ({ table, what })),
        next: `start the servers with DATABASE_URL=${redactUrl(options.to)}${options.toSchema ? ` KAIFANG_DB_SCHEMA=${options.toSchema}` : ''} ${masterKey}, KAIFANG_ADMIN_TOKEN="$(cat ${resolve(config.dataDir, 'admin.token')})" (or the one you set), and REDIS_URL for several processes`,
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
