import type { FastifyInstance } from 'fastify';
import { SandboxJournal } from '../../sandbox/journal.ts';
import type { Kaifang } from '../kaifang.ts';
import { ConsoleAssets } from './assets.ts';
import { debuggerEnabled, debuggerRoutes } from './debugger.ts';
import { consoleRoutes, sessionCheck, type SessionCheck } from './routes.ts';
import { ConsoleSessions } from './sessions.ts';

export type { SessionCheck } from './routes.ts';

/** The console and the debugger, as the apps mount them: the session check the admin API also takes, the sandbox journal, and the routes. */
export interface ConsoleShell {
  session: SessionCheck;
  journal: SandboxJournal | undefined;
  /** The operator console, where the admin API is (the public port, or the admin listener). */
  registerConsole(app: FastifyInstance): Promise<void>;
  /** The integrator's debugger, on the public port. */
  registerDebugger(app: FastifyInstance): Promise<void>;
}

/** One shell per process: the public app and the admin listener share its sessions and journal. */
const shells = new WeakMap<Kaifang, ConsoleShell>();

export function consoleShell(k: Kaifang): ConsoleShell {
  let shell = shells.get(k);
  if (shell === undefined) {
    shell = makeShell(k);
    shells.set(k, shell);
  }
  return shell;
}

function makeShell(k: Kaifang): ConsoleShell {
  const secure = k.config.publicUrl?.startsWith('https:') ?? false;
  const sessions = new ConsoleSessions(k.core.state, k.core.clock, k.config.consoleIdleMinutes * 60_000, secure);
  const journal = k.config.upstreamMode === 'sandbox' ? new SandboxJournal() : undefined;
  const assets = new ConsoleAssets();
  return {
    session: sessionCheck(sessions, k.adminTokens),
    journal,
    async registerConsole(app) {
      await app.register(consoleRoutes, { k, journal, sessions, assets });
    },
    async registerDebugger(app) {
      if (debuggerEnabled(k)) await app.register(debuggerRoutes, { k, assets });
    },
  };
}
