import type { Command } from 'commander';
import { migrateToLatest, openStore } from '../store/database.ts';
import { output } from '../fronts/kit/cli.ts';
import { configFrom, fail } from './context.ts';
import { KAIFANG_VERSION } from '../kernel/version.ts';
import { migrations } from '../server/storeLayout.ts';

export function migrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('bring the database schema up to date (the server also does this at start-up)')
    .option('--data-dir <dir>', 'data directory (KAIFANG_DATA_DIR)')
    .option('--json', 'print JSON')
    .action(async (options: { dataDir?: string; json?: boolean }) => {
      try {
        const config = configFrom(options);
        const store = await openStore(config);
        let applied: string[];
        try {
          applied = await migrateToLatest(store.db, migrations, config.databaseUrl ? config.databaseSchema : undefined);
        } finally {
          await store.close();
        }
        // A new store gets its master key and admin token here, as `serve` would make them: the
        // operator commands make no files.
        const [{ createKaifang }, { createLogger }] = await Promise.all([import('../server/kaifang.ts'), import('../server/logger.ts')]);
        const k = await createKaifang(config, { logger: createLogger('warn', process.stderr as never), migrate: false });
        const created = k.bootstrap.created;
        await k.close();
        output(options.json, { dialect: store.dialect, applied, version: KAIFANG_VERSION, created }, () =>
          [
            applied.length === 0 ? `${store.dialect}: schema already up to date` : `${store.dialect}: applied ${applied.join(', ')}`,
            ...created.map((f) => `created ${f} (mode 0600); keep it safe`),
          ].join('\n'),
        );
      } catch (err) {
        fail(err);
      }
    });
}
