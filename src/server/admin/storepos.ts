import type { FastifyInstance } from 'fastify';
import type { NewAgent } from '../../core/storepos/agents.ts';
import type { Kaifang } from '../kaifang.ts';
import { storeposOperations } from './storeposOperations.ts';
import { useStrictValidation } from './validation.ts';

type AgentParams = { agentId: string };
type AppParams = { appid: string };
type Page = { limit?: number; offset?: number };

const page = {
  type: 'object',
  properties: { limit: { type: 'integer', minimum: 1, maximum: 1000 }, offset: { type: 'integer', minimum: 0 } },
  additionalProperties: false,
};
const agentParams = { type: 'object', properties: { agentId: { type: 'string' } }, required: ['agentId'] };
const appParams = { type: 'object', properties: { appid: { type: 'string' } }, required: ['appid'] };
const grantParams = { type: 'object', properties: { agentId: { type: 'string' }, appid: { type: 'string' } }, required: ['agentId', 'appid'] };
const cap = { type: ['integer', 'null'], minimum: 0 };

const createAgentBody = {
  type: 'object',
  properties: { name: { type: 'string' }, agentId: { type: 'string' }, key: { type: 'string' }, smsDailyCap: cap },
  required: ['name'],
  additionalProperties: false,
};
const updateAgentBody = {
  type: 'object',
  properties: { name: { type: 'string' }, smsDailyCap: cap },
  minProperties: 1,
  additionalProperties: false,
};
const rotateBody = { type: ['object', 'null'], properties: { key: { type: 'string' } }, additionalProperties: false };
const createAppBody = {
  type: 'object',
  properties: { appid: { type: 'string' }, secret: { type: 'string' }, name: { type: 'string' } },
  required: ['appid', 'secret'],
  additionalProperties: false,
};
const secretBody = { type: 'object', properties: { secret: { type: 'string' } }, required: ['secret'], additionalProperties: false };
const updateAppBody = { type: 'object', properties: { name: { type: 'string' } }, minProperties: 1, additionalProperties: false };

/**
 * `/admin/api/storepos` (agents and their mini-program grants) and `/admin/api/wechat/miniapps`.
 * Handlers only translate HTTP to the shared operations; request bodies carry keys and secrets
 * and are never logged.
 */
export async function storeposAdmin(app: FastifyInstance, { k }: { k: Kaifang }): Promise<void> {
  useStrictValidation(app);
  const ops = storeposOperations(k);

  app.get('/storepos/agents', { schema: { querystring: page } }, async (request) => {
    const { limit, offset } = request.query as Page;
    return ops.listAgents(limit, offset);
  });
  // With agentId and key it imports an agent moved from the original platform.
  app.post('/storepos/agents', { schema: { body: createAgentBody } }, async (request, reply) =>
    reply.code(201).send(await ops.createAgent(request.body as NewAgent)),
  );
  app.get('/storepos/agents/:agentId', { schema: { params: agentParams } }, async (request) => ops.showAgent((request.params as AgentParams).agentId));
  app.patch('/storepos/agents/:agentId', { schema: { params: agentParams, body: updateAgentBody } }, async (request) =>
    ops.updateAgent((request.params as AgentParams).agentId, request.body as { name?: string; smsDailyCap?: number | null }),
  );
  app.post('/storepos/agents/:agentId/disable', { schema: { params: agentParams } }, async (request) =>
    ops.setAgentEnabled((request.params as AgentParams).agentId, false),
  );
  app.post('/storepos/agents/:agentId/enable', { schema: { params: agentParams } }, async (request) =>
    ops.setAgentEnabled((request.params as AgentParams).agentId, true),
  );
  app.post('/storepos/agents/:agentId/rotate-key', { schema: { params: agentParams, body: rotateBody } }, async (request) =>
    ops.rotateKey((request.params as AgentParams).agentId, (request.body as { key?: string } | null)?.key),
  );
  app.put('/storepos/agents/:agentId/grants/:appid', { schema: { params: grantParams } }, async (request) => {
    const { agentId, appid } = request.params as AgentParams & AppParams;
    return ops.grant(agentId, appid);
  });
  app.delete('/storepos/agents/:agentId/grants/:appid', { schema: { params: grantParams } }, async (request) => {
    const { agentId, appid } = request.params as AgentParams & AppParams;
    return ops.revoke(agentId, appid);
  });

  app.get('/wechat/miniapps', { schema: { querystring: page } }, async (request) => {
    const { limit, offset } = request.query as Page;
    return ops.listMiniapps(limit, offset);
  });
  app.post('/wechat/miniapps', { schema: { body: createAppBody } }, async (request, reply) =>
    reply.code(201).send(await ops.createMiniapp(request.body as { appid: string; secret: string; name?: string })),
  );
  app.get('/wechat/miniapps/:appid', { schema: { params: appParams } }, async (request) => ops.showMiniapp((request.params as AppParams).appid));
  app.patch('/wechat/miniapps/:appid', { schema: { params: appParams, body: updateAppBody } }, async (request) =>
    ops.updateMiniapp((request.params as AppParams).appid, request.body as { name?: string }),
  );
  app.put('/wechat/miniapps/:appid/secret', { schema: { params: appParams, body: secretBody } }, async (request) =>
    ops.setMiniappSecret((request.params as AppParams).appid, (request.body as { secret: string }).secret),
  );
  app.post('/wechat/miniapps/:appid/disable', { schema: { params: appParams } }, async (request) =>
    ops.setMiniappEnabled((request.params as AppParams).appid, false),
  );
  app.post('/wechat/miniapps/:appid/enable', { schema: { params: appParams } }, async (request) =>
    ops.setMiniappEnabled((request.params as AppParams).appid, true),
  );
}
