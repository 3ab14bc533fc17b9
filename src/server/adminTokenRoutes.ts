import type { FastifyInstance } from 'fastify';
import { presentToken } from '../core/adminTokens.ts';
import { useStrictValidation } from '../fronts/kit/adminValidation.ts';
import type { Kaifang } from './kaifang.ts';

/** The admin API's own tokens, `/admin/api/tokens` (only the root token or a write token for every front reach it: adminTokens.ts `refusal`). */

export const createTokenBody = {
  type: 'object',
  required: ['name', 'scope'],
  properties: {
    name: {
      type: 'string',
      minLength: 1,
      maxLength: 40,
      description: 'a name of your choosing, shown in the audit trail (letters, digits, . _ -)',
    },
    scope: { type: 'string', enum: ['read', 'write'], description: 'read: GET only; write: every admin request of its fronts' },
    fronts: {
      type: 'array',
      items: { type: 'string', minLength: 1, maxLength: 40 },
      maxItems: 20,
      description: 'only these fronts (/admin/api/<front>/…); absent or empty = every front and the platform routes',
    },
  },
  additionalProperties: false,
} as const;

export const tokenNameParams = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', minLength: 1, maxLength: 40 } },
} as const;

export async function adminTokenRoutes(app: FastifyInstance, { k }: { k: Kaifang }): Promise<void> {
  useStrictValidation(app);
  app.get('/tokens', async () => ({ tokens: (await k.adminTokens.list()).map(presentToken) }));
  app.post('/tokens', { schema: { body: createTokenBody } }, async (request, reply) => {
    const made = await k.adminTokens.create(request.body as { name: string; scope: string; fronts?: string[] });
    return reply.code(201).send({ ...presentToken(made), token: made.token });
  });
  app.post('/tokens/:name/revoke', { schema: { params: tokenNameParams } }, async (request) =>
    presentToken(await k.adminTokens.revoke((request.params as { name: string }).name)),
  );
}
