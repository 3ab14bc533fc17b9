import type { FastifyInstance } from 'fastify';
import type { Kaifang } from '../kaifang.ts';
import type { ConsoleAssets } from './assets.ts';
import { serveAsset } from './routes.ts';

/** Whether the integrator's debugger is served: KAIFANG_DEBUGGER on, or auto in sandbox mode. */
export function debuggerEnabled(k: Kaifang): boolean {
  return k.config.debugger === 'on' || (k.config.debugger === 'auto' && k.config.upstreamMode === 'sandbox');
}

/**
 * The integrator's debugger, `/debugger/`: public, no admin token, nothing stored. The page signs
 * in the browser with the secret the partner types and calls the fronts' own endpoints like any
 * client; the server only serves the page and, at `/debugger/api/info`, its time and each front's
 * public settings (the 万店掌 `_aid` and timestamp window), so a refusal can be explained.
 * Nothing here can sign with a stored secret.
 */
export async function debuggerRoutes(app: FastifyInstance, { k, assets }: { k: Kaifang; assets: ConsoleAssets }): Promise<void> {
  app.get('/debugger', async (_request, reply) => reply.redirect('/debugger/', 301));
  app.get('/debugger/', async (_request, reply) => serveAsset(assets, 'debugger.html', reply));
  app.get('/debugger/assets/:name', async (request, reply) =>
    serveAsset(assets, `assets/${(request.params as { name: string }).name}`, reply),
  );
  app.get('/debugger/api/info', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    const settings: Record<string, unknown> = {};
    for (const front of k.bound) {
      if (front.debuggerInfo) settings[front.name] = front.debuggerInfo();
    }
    return { now: k.core.clock.now(), sandbox: k.config.upstreamMode === 'sandbox', settings };
  });
}
