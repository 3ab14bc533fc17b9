import type { FastifyInstance } from 'fastify';
import { SandboxJournal } from '../../sandbox/journal.ts';
import type { Kaifang } from '../kaifang.ts';
import { ConsoleAssets } from './assets.ts';
import { debuggerEnabled, debuggerRoutes } from './debugger.ts';
import { consoleRoutes, sessionCheck, type SessionCheck } from './routes.ts';
import { ConsoleSessions } from './sessions.ts';

export type { SessionCheck } from './routes.ts';

/** The console and the debugger, as the app mounts them: the session check the admin API also takes, the sandbox journal, and the routes. */
export interface ConsoleShell {
  session: SessionCheck;
  journal: SandboxJournal | undefined;
  register(app: FastifyInstance): Promise<void>;
}

export function consoleShell(k: Kaifang): ConsoleShell {
  const secure = k.config.publicUrl?.startsWith('https:') ?? false;
  const sessions = new ConsoleSessions(k.core.state, k.core.clock, k.config.consoleIdleMinutes * 60_000, secure);
  const journal = k.config.upstreamMode === 'sandbox' ? new SandboxJournal() : undefined;
  const assets = new ConsoleAssets();
  return {
    session: sessionCheck(sessions),
    journal,
    async register(app) {
      await app.register(consoleRoutes, { k, journal, sessions, assets });
      if (debuggerEnabled(k)) await app.register(debuggerRoutes, { k, assets });
    },
  };
}
