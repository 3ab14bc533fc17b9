import { Command } from 'commander';
import { serveCommand } from './serve.ts';
import { migrateCommand } from './migrate.ts';
import { opretailCommand } from './opretail.ts';
import { configCommand } from './config.ts';
import { storeposCommand } from './storepos.ts';
import './opretailDemo.ts';

const program = new Command('kaifang')
  .description('kaifang (开放): a self-hosted open-platform server')
  .showHelpAfterError();

serveCommand(program);
migrateCommand(program);
opretailCommand(program);
configCommand(program);
storeposCommand(program);

await program.parseAsync(process.argv);
