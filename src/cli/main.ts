import { Command } from 'commander';
import { KAIFANG_VERSION } from '../kernel/version.ts';
import { addFrontCommands, type FrontManifest } from '../fronts/kit/front.ts';
import { manifests } from '../fronts/manifests.ts';
import { callsCommand } from './calls.ts';
import { configCommand } from './config.ts';
import { cliShell } from './context.ts';
import { migrateCommand } from './migrate.ts';
import { serveCommand } from './serve.ts';
import { storeCommand } from './store.ts';
import { keysCommand } from './keys.ts';
import { readyCommand } from './ready.ts';
import { adminCommand, auditCommand } from './admin.ts';

/*
 * The CLI loads only what the command it runs needs: the fronts' manifests (names, titles), and
 * the commands of the one front named on the command line (its admin/cli.ts and services). The
 * server (Fastify, the fronts' routes, metrics, the sandbox) is loaded by `serve` alone.
 */

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
callsCommand(program);

// The program has no options with a value, so the first word that is not an option names the
// command (`kaifang help <command>` names it second).
const words = process.argv.slice(2).filter((word) => !word.startsWith('-'));
const invoked = words[0] === 'help' ? words[1] : words[0];
for (const front of manifests) {
  if (!front.cli) continue;
  // Usage errors print one line (the front's commands inherit this setting when created).
  const command = program.command(front.name).description(front.title).showHelpAfterError(false);
  // `kaifang --help` lists the fronts by their titles; only the front named loads its commands.
  // (Its settings are among the Config the shell reads: the manifest's exact types are not needed here.)
  if (front.name === invoked) await addFrontCommands(command, front as FrontManifest, cliShell);
}

await program.parseAsync(process.argv);
