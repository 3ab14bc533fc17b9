import type { Command } from 'commander';
import { migrateToLatest, openStore } from '../store/database.ts';
import { output } from '../fronts/kit/cli.ts';
import { configFrom, fail } from './context.ts';
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
        try {
          const applied = await migrateToLatest(store.db, migrations, config.databaseUrl ? config.databaseSchema : undefined);
          output(options.json, { dialect: store.dialect, applied }, () =>
            applied.length === 0 ? `${store.dialect}: schema already up to date` : `${store.dialect}: applied ${applied.join(', ')}`,
          );
        } finally {
          await store.close();
        }
      } catch (err) {
        fail(err);
      }
    });
}
