import { Command } from 'commander';
import { serveCommand } from './serve.js';
import { migrateCommand } from './migrate.js';
import { opretailCommand } from './opretail.js';
import { configCommand } from './config.js';
import { storeposCommand } from './storepos.js';
import './opretailDemo.js';
const program = new Command('kaifang')
    .description('kaifang (开放): a self-hosted open-platform server')
    .showHelpAfterError();
serveCommand(program);
migrateCommand(program);
opretailCommand(program);
configCommand(program);
storeposCommand(program);
await program.parseAsync(process.argv);
