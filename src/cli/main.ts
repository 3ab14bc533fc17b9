import { Command } from 'commander';
import { serveCommand } from './serve.ts';
import { migrateCommand } from './migrate.ts';
import { configCommand } from './config.ts';

const program = new Command('kaifang')
  .description('kaifang (开放): a self-hosted open-platform server')
  .showHelpAfterError();

serveCommand(program);
migrateCommand(program);
configCommand(program);

await program.parseAsync(process.argv);
