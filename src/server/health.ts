import type { FastifyInstance } from 'fastify';
import { pingStore, probeWrite } from '../store/database.ts';
import type { Kaifang } from './kaifang.ts';

/** `/healthz` (the process answers), `/readyz` (database and state answer), `/metrics`. */
export async function healthRoutes(app: FastifyInstance, { k }: { k: Kaifang }): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_req, reply) => {
    const checks: Record<string, string> = {};
    const probe = async (name: string, fn: () => Promise<void>) => {
      try {
        await withTimeout(fn(), 2000);
        checks[name] = 'ok';
      } catch (err) {
        checks[name] = `failing: ${(err as Error).message}`;
      }
    };
    await Promise.all([
      probe('database', () => pingStore(k.core.db)),
      // A store that answers but refuses writes (a read-only file or replica) cannot serve a signed call.
      probe('database writable', () => probeWrite(k.core.db, k.core.clock.now())),
      probe('state', () => k.core.state.ping()),
    ]);
    const ready = Object.values(checks).every((v) => v === 'ok');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
  });

  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', k.metrics.registry.contentType);
    return k.metrics.registry.metrics();
  });
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
