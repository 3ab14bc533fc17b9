import type { FastifyInstance } from 'fastify';
import { constantTimeEqual } from '../kernel/secrets.ts';
import { KAIFANG_VERSION } from '../kernel/version.ts';
import { pingStore, probeWrite } from '../store/database.ts';
import type { Kaifang } from './kaifang.ts';

/** Each readiness check by name: 'ok' or 'failing: …'; and whether all are ok and the process is not stopping. */
export async function readiness(k: Kaifang): Promise<{ ready: boolean; draining: boolean; checks: Record<string, string> }> {
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
  const draining = k.lifecycle.draining;
  return { ready: !draining && Object.values(checks).every((v) => v === 'ok'), draining, checks };
}

/**
 * `/healthz` (the process answers, and which build it is), `/readyz` (database and state answer,
 * and the process is not stopping: 503 from the first moment of a stop, so a load balancer drains
 * it), and `/metrics` when `metrics` (behind KAIFANG_METRICS_TOKEN when that is set).
 */
export async function healthRoutes(app: FastifyInstance, { k, metrics = true }: { k: Kaifang; metrics?: boolean }): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok', version: KAIFANG_VERSION }));

  app.get('/readyz', async (_req, reply) => {
    const { ready, draining, checks } = await readiness(k);
    return reply.code(ready ? 200 : 503).send({ status: draining ? 'stopping' : ready ? 'ready' : 'not ready', checks });
  });

  if (!metrics) return;
  app.get('/metrics', async (request, reply) => {
    const token = k.config.metricsToken;
    if (token !== undefined) {
      const header = request.headers.authorization ?? '';
      const given = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
      if (given === '' || !constantTimeEqual(given, token)) {
        return reply
          .code(401)
          .header('www-authenticate', 'Bearer')
          .send({
            error: { kind: 'Unauthorized', message: 'send the metrics token (KAIFANG_METRICS_TOKEN) as "Authorization: Bearer <token>"' },
          });
      }
    }
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
