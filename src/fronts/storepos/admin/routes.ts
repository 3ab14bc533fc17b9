import type { FastifyInstance } from 'fastify';
import type { NewAgent } from '../domain/agents.ts';
import type { ListOptions } from '../../../core/credentials.ts';
import { listQuery, setSecretBody, useStrictValidation, withSecretAs } from '../../kit/adminValidation.ts';
import type { FrontPluginOptions } from '../../kit/front.ts';
import { storeposOperations } from './operations.ts';
import * as S from './schemas.ts';
import type { StoreposServices } from '../services.ts';

type AgentParams = { agentId: string };
type GrantParams = AgentParams & { appid: string };

/**
 * `/admin/api/storepos`: agents and their mini-program grants (the mini-programs themselves are
 * the platform's WeChat apps, under `/admin/api/wechat`). Handlers only translate HTTP to the
 * shared operations; request bodies carry keys and are never logged.
 */
export async function storeposAdmin(app: FastifyInstance, { services }: FrontPluginOptions<StoreposServices>): Promise<void> {
  useStrictValidation(app);
  const ops = storeposOperations(services);

  app.get('/agents', { schema: { querystring: listQuery } }, async (request) => ops.listAgents(request.query as ListOptions));
  // With agentId and key it imports an agent moved from the original platform.
  app.post('/agents', { schema: { body: S.createAgentBody } }, async (request, reply) =>
    reply.code(201).send(await ops.createAgent(withSecretAs(request.body as NewAgent & { secret?: string }, 'key'))),
  );
  app.get('/agents/:agentId', { schema: { params: S.agentParams } }, async (request) =>
    ops.showAgent((request.params as AgentParams).agentId),
  );
  app.patch('/agents/:agentId', { schema: { params: S.agentParams, body: S.updateAgentBody } }, async (request) =>
    ops.updateAgent((request.params as AgentParams).agentId, request.body as { name?: string; smsDailyCap?: number | null }),
  );
  for (const [verb, enabled] of [
    ['disable', false],
    ['enable', true],
  ] as const) {
    app.post(`/agents/:agentId/${verb}`, { schema: { params: S.agentParams } }, async (request) =>
      ops.setAgentEnabled((request.params as AgentParams).agentId, enabled),
    );
  }
  app.post('/agents/:agentId/rotate-secret', { schema: { params: S.agentParams, body: S.rotateBody } }, async (request) =>
    ops.rotateSecret((request.params as AgentParams).agentId),
  );
  // The old verb, with an optional key to set: deprecated (rotate-secret / set-secret).
  app.post('/agents/:agentId/rotate-key', { schema: { params: S.agentParams, body: S.rotateKeyBody } }, async (request) =>
    ops.rotateSecret((request.params as AgentParams).agentId, (request.body as { key?: string } | null)?.key),
  );
  app.post('/agents/:agentId/set-secret', { schema: { params: S.agentParams, body: setSecretBody } }, async (request) =>
    ops.setSecret((request.params as AgentParams).agentId, (request.body as { secret: string }).secret),
  );
  app.delete('/agents/:agentId', { schema: { params: S.agentParams } }, async (request) =>
    ops.deleteAgent((request.params as AgentParams).agentId),
  );
  app.put('/agents/:agentId/grants/:appid', { schema: { params: S.grantParams } }, async (request) => {
    const { agentId, appid } = request.params as GrantParams;
    return ops.grant(agentId, appid);
  });
  app.delete('/agents/:agentId/grants/:appid', { schema: { params: S.grantParams } }, async (request) => {
    const { agentId, appid } = request.params as GrantParams;
    return ops.revoke(agentId, appid);
  });
}
