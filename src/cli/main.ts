import { Command } from 'commander';
import { KAIFANG_VERSION } from '../kernel/version.ts';
import { fronts } from '../fronts/all.ts';
import { configCommand } from './config.ts';
import { cliShell } from './context.ts';
import { migrateCommand } from './migrate.ts';
import { serveCommand } from './serve.ts';
import { storeCommand } from './store.ts';
import { keysCommand } from './keys.ts';
import { readyCommand } from './ready.ts';
import { adminCommand, auditCommand } from './admin.ts';

const program = new Command('kaifang')
  .description('kaifang (开放): a self-hosted open-platform server')
  .version(KAIFANG_VERSION, '-v, --version', 'print the version of kaifang')
  .showHelpAfterError();

serveCommand(program);
migrateCommand(program);
storeCommand(program);
keysCommand(program);
readyCommand(program);
configCommand(program);
adminCommand(program);
auditCommand(program);
for (const front of fronts) {
  if (!front.cli) continue;
  // Usage errors print one line (the front's commands inherit this setting when created).
  front.addCommands(program.command(front.name).description(front.title).showHelpAfterError(false), cliShell);
}

await program.parseAsync(process.argv);
