import type { FastifyInstance } from 'fastify';
import type { NewAgent } from '../domain/agents.ts';
import { pageQuery, useStrictValidation } from '../../kit/adminValidation.ts';
import type { FrontPluginOptions } from '../../kit/front.ts';
import { storeposOperations } from './operations.ts';
import * as S from './schemas.ts';
import type { StoreposServices } from '../services.ts';

type AgentParams = { agentId: string };
type GrantParams = AgentParams & { appid: string };
type Page = { limit?: number; offset?: number };

/**
 * `/admin/api/storepos`: agents and their mini-program grants (the mini-programs themselves are
 * the platform's WeChat apps, under `/admin/api/wechat`). Handlers only translate HTTP to the
 * shared operations; request bodies carry keys and are never logged.
 */
export async function storeposAdmin(app: FastifyInstance, { services }: FrontPluginOptions<StoreposServices>): Promise<void> {
  useStrictValidation(app);
  const ops = storeposOperations(services);

  app.get('/agents', { schema: { querystring: pageQuery } }, async (request) => {
    const { limit, offset } = request.query as Page;
    return ops.listAgents(limit, offset);
  });
  // With agentId and key it imports an agent moved from the original platform.
  app.post('/agents', { schema: { body: S.createAgentBody } }, async (request, reply) =>
    reply.code(201).send(await ops.createAgent(request.body as NewAgent)),
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
  app.post('/agents/:agentId/rotate-key', { schema: { params: S.agentParams, body: S.rotateBody } }, async (request) =>
    ops.rotateKey((request.params as AgentParams).agentId, (request.body as { key?: string } | null)?.key),
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
