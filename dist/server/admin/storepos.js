import { storeposOperations } from './storeposOperations.js';
import { useStrictValidation } from './validation.js';
/*
 * The route schemas, exported because the OpenAPI document (storeposOpenapi.ts) is built from
 * them: what is validated is what is documented. The core services check the finer rules
 * (patterns, lengths) and name the field themselves.
 */
export const page = {
    type: 'object',
    properties: {
        limit: { type: 'integer', minimum: 1, maximum: 1000, description: 'default 100' },
        offset: { type: 'integer', minimum: 0, description: 'default 0' },
    },
    additionalProperties: false,
};
const agentId = { type: 'string', description: 'the agent number (`agent_id`)', examples: ['13000000000000000'] };
const appid = { type: 'string', description: 'the mini-program\'s WeChat appid', examples: ['wx1234567890abcdef'] };
export const agentParams = { type: 'object', properties: { agentId }, required: ['agentId'] };
export const appParams = { type: 'object', properties: { appid }, required: ['appid'] };
export const grantParams = { type: 'object', properties: { agentId, appid }, required: ['agentId', 'appid'] };
const cap = { type: ['integer', 'null'], minimum: 0, description: 'own SMS sends per CST day; null = the deployment default (KAIFANG_STOREPOS_SMS_PER_AGENT_PER_DAY)' };
const name = { type: 'string', description: '1–100 characters' };
export const createAgentBody = {
    type: 'object',
    properties: {
        name,
        agentId: { type: 'string', description: 'import an existing agent number (1–32 digits); default 17 random digits' },
        key: { type: 'string', description: 'import an existing key (16–128 printable ASCII, no spaces); default 32 random characters' },
        smsDailyCap: cap,
    },
    required: ['name'],
    additionalProperties: false,
};
export const updateAgentBody = {
    type: 'object',
    properties: { name, smsDailyCap: cap },
    minProperties: 1,
    additionalProperties: false,
};
export const rotateBody = {
    type: ['object', 'null'],
    properties: { key: { type: 'string', description: 'the new key (16–128 printable ASCII, no spaces); absent = 32 random characters' } },
    additionalProperties: false,
};
const secret = { type: 'string', description: 'the mini-program\'s AppSecret (8–128 printable ASCII, no spaces); stored encrypted, never shown' };
export const createAppBody = {
    type: 'object',
    properties: {
        appid: { type: 'string', description: '"wx" followed by 16 letters or digits', examples: ['wx1234567890abcdef'] },
        secret,
        name: { ...name, description: '1–100 characters; default the appid' },
    },
    required: ['appid', 'secret'],
    additionalProperties: false,
};
export const secretBody = { type: 'object', properties: { secret }, required: ['secret'], additionalProperties: false };
export const updateAppBody = { type: 'object', properties: { name }, minProperties: 1, additionalProperties: false };
/**
 * `/admin/api/storepos` (agents and their mini-program grants) and `/admin/api/wechat/miniapps`.
 * Handlers only translate HTTP to the shared operations; request bodies carry keys and secrets
 * and are never logged.
 */
export async function storeposAdmin(app, { k }) {
    useStrictValidation(app);
    const ops = storeposOperations(k);
    app.get('/storepos/agents', { schema: { querystring: page } }, async (request) => {
        const { limit, offset } = request.query;
        return ops.listAgents(limit, offset);
    });
    // With agentId and key it imports an agent moved from the original platform.
    app.post('/storepos/agents', { schema: { body: createAgentBody } }, async (request, reply) => reply.code(201).send(await ops.createAgent(request.body)));
    app.get('/storepos/agents/:agentId', { schema: { params: agentParams } }, async (request) => ops.showAgent(request.params.agentId));
    app.patch('/storepos/agents/:agentId', { schema: { params: agentParams, body: updateAgentBody } }, async (request) => ops.updateAgent(request.params.agentId, request.body));
    app.post('/storepos/agents/:agentId/disable', { schema: { params: agentParams } }, async (request) => ops.setAgentEnabled(request.params.agentId, false));
    app.post('/storepos/agents/:agentId/enable', { schema: { params: agentParams } }, async (request) => ops.setAgentEnabled(request.params.agentId, true));
    app.post('/storepos/agents/:agentId/rotate-key', { schema: { params: agentParams, body: rotateBody } }, async (request) => ops.rotateKey(request.params.agentId, request.body?.key));
    app.put('/storepos/agents/:agentId/grants/:appid', { schema: { params: grantParams } }, async (request) => {
        const { agentId, appid } = request.params;
        return ops.grant(agentId, appid);
    });
    app.delete('/storepos/agents/:agentId/grants/:appid', { schema: { params: grantParams } }, async (request) => {
        const { agentId, appid } = request.params;
        return ops.revoke(agentId, appid);
    });
    app.get('/wechat/miniapps', { schema: { querystring: page } }, async (request) => {
        const { limit, offset } = request.query;
        return ops.listMiniapps(limit, offset);
    });
    app.post('/wechat/miniapps', { schema: { body: createAppBody } }, async (request, reply) => reply.code(201).send(await ops.createMiniapp(request.body)));
    app.get('/wechat/miniapps/:appid', { schema: { params: appParams } }, async (request) => ops.showMiniapp(request.params.appid));
    app.patch('/wechat/miniapps/:appid', { schema: { params: appParams, body: updateAppBody } }, async (request) => ops.updateMiniapp(request.params.appid, request.body));
    app.put('/wechat/miniapps/:appid/secret', { schema: { params: appParams, body: secretBody } }, async (request) => ops.setMiniappSecret(request.params.appid, request.body.secret));
    app.post('/wechat/miniapps/:appid/disable', { schema: { params: appParams } }, async (request) => ops.setMiniappEnabled(request.params.appid, false));
    app.post('/wechat/miniapps/:appid/enable', { schema: { params: appParams } }, async (request) => ops.setMiniappEnabled(request.params.appid, true));
}
