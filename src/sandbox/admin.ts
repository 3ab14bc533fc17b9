import type { FastifyInstance } from 'fastify';
import { InvalidInput } from '../core/errors.ts';
import type { SandboxOutbox } from './outbox.ts';

/**
 * The admin API's view of the sandbox (mounted at `/admin/api/sandbox`, behind the admin token).
 * The SMS outbox: `GET /sandbox/sms?mobile=&limit=` lists what the simulators "sent",
 * newest first (limit 1–500, default 50); `DELETE /sandbox/sms` empties it.
 */
export async function sandboxAdmin(app: FastifyInstance, { outbox }: { outbox: SandboxOutbox }): Promise<void> {

  app.get('/sms', async (request) => {
    const q = request.query as Record<string, unknown>;
    const mobile = typeof q.mobile === 'string' && q.mobile !== '' ? q.mobile : undefined;
    if (mobile !== undefined && !/^\d{5,20}$/.test(mobile)) throw new InvalidInput('mobile', 'mobile must be digits, e.g. 13800138000');
    let limit = 50;
    if (typeof q.limit === 'string' && q.limit !== '') {
      limit = Number(q.limit);
      if (!/^\d+$/.test(q.limit) || limit < 1 || limit > 500) throw new InvalidInput('limit', 'limit must be an integer from 1 to 500');
    }
    return { messages: await outbox.list({ ...(mobile ? { mobile } : {}), limit }) };
  });

  app.delete('/sms', async () => ({ deleted: await outbox.clear() }));
}
