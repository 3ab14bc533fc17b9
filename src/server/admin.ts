import type { FastifyInstance } from 'fastify';
import { DomainError } from '../core/errors.ts';
import { constantTimeEqual } from '../core/secrets.ts';
import { fronts } from '../fronts/index.ts';
import { sandboxAdmin } from '../sandbox/admin.ts';
import { adminErrorStatus } from './adminErrors.ts';
import type { Kaifang } from './kaifang.ts';

/**
 * The admin API's shell under `/admin/api`: Bearer admin token, JSON in and out, errors as
 * `{ "error": { "kind", "message", "param"? } }`. Each front's admin routes are mounted at
 * `/admin/api/<name>`; the platform adds the call log and the sandbox.
 */
export async function adminApi(app: FastifyInstance, { k }: { k: Kaifang }): Promise<void> {
  app.addHook('onRequest', async (request, reply) => {
    const header = request.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    if (token === '' || !constantTimeEqual(token, k.bootstrap.adminToken)) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ error: { kind: 'Unauthorized', message: 'send the admin token as "Authorization: Bearer <token>"' } });
    }
  });

  app.setErrorHandler((err, request, reply) => {
    if (err instanceof DomainError) {
      const body: Record<string, unknown> = { kind: err.kind, message: err.message };
      if ('param' in err) body.param = (err as { param: string }).param;
      return reply.code(adminErrorStatus(err)).send({ error: body });
    }
    const e = err as { statusCode?: number; message?: string; validation?: unknown };
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      return reply.code(e.statusCode).send({ error: { kind: 'BadRequest', message: e.message ?? 'bad request' } });
    }
    request.log.error({ err }, 'admin API failure');
    return reply.code(500).send({ error: { kind: 'Internal', message: `internal error; request id ${request.id}` } });
  });

  for (const front of fronts) {
    if (!front.admin) continue;
    const services = k.fronts[front.name];
    await app.register(front.admin as never, { services, ctx: k.frontContext, prefix: `/${front.name}` });
  }
  await app.register(sandboxAdmin, { outbox: k.outbox, prefix: '/sandbox' });

  app.get('/calls', async (request) => {
    const q = request.query as Record<string, string | undefined>;
    const num = (v: string | undefined) => (v === undefined || v === '' ? undefined : Number(v));
    return {
      calls: await k.callLog.query({
        ...(q.front ? { front: q.front } : {}),
        ...(q.credential ? { credential: q.credential } : {}),
        ...(num(q.since) !== undefined ? { since: num(q.since)! } : {}),
        ...(num(q.until) !== undefined ? { until: num(q.until)! } : {}),
        ...(num(q.limit) !== undefined ? { limit: num(q.limit)! } : {}),
      }),
    };
  });
}
