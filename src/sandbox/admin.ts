import type { FastifyInstance } from 'fastify';
import { InvalidInput } from '../kernel/errors.ts';
import type { SandboxOutbox } from './outbox.ts';
import type { SandboxTemplateInbox } from './templateInbox.ts';

/**
 * The admin API's view of the sandbox (mounted at `/admin/api/sandbox`, behind the admin token).
 * The SMS outbox: `GET /sandbox/sms?mobile=&limit=` lists what the simulators "sent",
 * newest first (limit 1–500, default 50); `DELETE /sandbox/sms` empties it. The template-message
 * inbox: `GET /sandbox/template-messages?touser=&limit=`, `DELETE` empties it.
 */
/** Admin JSON writes times as ISO 8601 UTC. */
const isoAt = <T extends { at: number }>(m: T) => ({ ...m, at: new Date(m.at).toISOString() });

export async function sandboxAdmin(
  app: FastifyInstance,
  { outbox, templateInbox }: { outbox: SandboxOutbox; templateInbox: SandboxTemplateInbox },
): Promise<void> {
  const limitOf = (q: Record<string, unknown>) => {
    if (typeof q.limit !== 'string' || q.limit === '') return 50;
    const limit = Number(q.limit);
    if (!/^\d+$/.test(q.limit) || limit < 1 || limit > 500) throw new InvalidInput('limit', 'limit must be an integer from 1 to 500');
    return limit;
  };

  app.get('/sms', async (request) => {
    const q = request.query as Record<string, unknown>;
    const mobile = typeof q.mobile === 'string' && q.mobile !== '' ? q.mobile : undefined;
    if (mobile !== undefined && !/^\d{5,20}$/.test(mobile)) throw new InvalidInput('mobile', 'mobile must be digits, e.g. 13800138000');
    return { messages: (await outbox.list({ ...(mobile ? { mobile } : {}), limit: limitOf(q) })).map(isoAt) };
  });

  app.delete('/sms', async () => ({ deleted: await outbox.clear() }));

  app.get('/template-messages', async (request) => {
    const q = request.query as Record<string, unknown>;
    const touser = typeof q.touser === 'string' && q.touser !== '' ? q.touser : undefined;
    if (touser !== undefined && touser.length > 128) throw new InvalidInput('touser', 'touser is an openid: at most 128 characters');
    return { messages: (await templateInbox.list({ ...(touser ? { touser } : {}), limit: limitOf(q) })).map(isoAt) };
  });

  app.delete('/template-messages', async () => ({ deleted: await templateInbox.clear() }));
}
