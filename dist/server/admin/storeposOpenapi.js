import { ref, ok, errors, body, pathParams, queryParams } from './openapiParts.js';
import * as S from './storepos.js';
/**
 * The storepos (超赢) agents, the WeChat mini-programs and the sandbox SMS outbox in the OpenAPI
 * document. Request schemas are the ones the routes in storepos.ts validate with; reply schemas
 * follow `presentAgent` / `presentMiniProgram` (storeposOperations.ts) and sandbox.ts.
 */
const STOREPOS = 'admin: storepos';
const WECHAT = 'admin: wechat';
const SANDBOX = 'admin: sandbox';
const op = (tag, summary, extra) => ({ tags: [tag], summary, ...extra });
const timestamp = { type: 'string', format: 'date-time', description: 'ISO 8601, UTC' };
const status = { type: 'string', enum: ['enabled', 'disabled'] };
const agentView = {
    type: 'object',
    description: 'A storepos agent (代理商). `key` only in the replies of create and rotate-key; `appids` in every reply but the list.',
    properties: {
        agentId: { type: 'string', description: 'the `agent_id` it signs with', examples: ['13000000000000000'] },
        name: { type: 'string' },
        status: { ...status, description: 'a disabled agent gets FAIL 10005' },
        smsDailyCap: { type: ['integer', 'null'], description: 'own SMS sends per CST day; null = the deployment default' },
        key: { type: 'string', description: 'the agent key, shown only right after create or rotate-key' },
        appids: { type: 'array', items: { type: 'string' }, description: 'the mini-programs granted to the agent' },
        createdAt: timestamp,
        updatedAt: timestamp,
    },
};
const miniappView = {
    type: 'object',
    description: 'A WeChat mini-program whose AppSecret the platform holds (never shown).',
    properties: {
        appid: { type: 'string', examples: ['wx1234567890abcdef'] },
        name: { type: 'string' },
        status: { ...status, description: 'a disabled mini-program cannot be used by WXA_Code2Session' },
        createdAt: timestamp,
        updatedAt: timestamp,
    },
};
const outboxMessage = {
    type: 'object',
    properties: {
        id: { type: 'integer' },
        at: { type: 'integer', description: 'ms since the epoch' },
        provider: { type: 'string', description: 'the simulator that received it', examples: ['sandbox', 'aliyun', 'tencent', 'webhook'] },
        mobile: { type: 'string', examples: ['13800138000'] },
        text: { type: 'string', description: 'the SMS as the user would read it' },
        code: { type: ['string', 'null'], description: 'the verification code it carries' },
        template: { type: ['string', 'null'], description: 'the provider template id or code, when the provider uses templates' },
    },
};
const agent = ref('StoreposAgent');
const miniapp = ref('WechatMiniapp');
const agentId = pathParams(S.agentParams);
const appid = pathParams(S.appParams);
const grant = pathParams(S.grantParams);
const page = queryParams(S.page);
const agents = '/admin/api/storepos/agents';
const miniapps = '/admin/api/wechat/miniapps';
export const storeposAdminOpenApi = {
    tags: [
        { name: STOREPOS, description: 'storepos (超赢) agents and their mini-program grants. Changes reach running servers within KAIFANG_CACHE_TTL_MS.' },
        { name: WECHAT, description: 'WeChat mini-programs (appid + AppSecret) that agents may log users into with /Open/WXA_Code2Session.' },
        { name: SANDBOX, description: 'The sandbox: what the simulated upstream services received.' },
    ],
    paths: {
        [agents]: {
            get: op(STOREPOS, 'List agents (keys never shown)', {
                parameters: page,
                responses: { ...ok('a page of agents, oldest first', { type: 'object', properties: { agents: { type: 'array', items: agent } } }), ...errors(400) },
            }),
            post: op(STOREPOS, 'Create an agent, or import one with agentId/key', {
                description: 'The reply is the only time the key is shown (besides rotate-key).',
                requestBody: body(S.createAgentBody),
                responses: { ...ok('the new agent, with key', agent, 201), ...errors(400, 409) },
            }),
        },
        [`${agents}/{agentId}`]: {
            get: op(STOREPOS, 'Show an agent and its grants', { parameters: agentId, responses: { ...ok('the agent', agent), ...errors(404) } }),
            patch: op(STOREPOS, 'Change an agent\'s name or SMS cap', {
                parameters: agentId,
                requestBody: body(S.updateAgentBody),
                responses: { ...ok('the agent', agent), ...errors(400, 404) },
            }),
        },
        [`${agents}/{agentId}/disable`]: {
            post: op(STOREPOS, 'Disable an agent: its calls get FAIL 10005', { parameters: agentId, responses: { ...ok('the agent', agent), ...errors(404) } }),
        },
        [`${agents}/{agentId}/enable`]: {
            post: op(STOREPOS, 'Enable an agent', { parameters: agentId, responses: { ...ok('the agent', agent), ...errors(404) } }),
        },
        [`${agents}/{agentId}/rotate-key`]: {
            post: op(STOREPOS, 'Replace the key (random, or the given one); the old one stops working', {
                parameters: agentId,
                requestBody: body(S.rotateBody, false),
                responses: { ...ok('the agent with its new key, shown this once', agent), ...errors(400, 404) },
            }),
        },
        [`${agents}/{agentId}/grants/{appid}`]: {
            put: op(STOREPOS, 'Let the agent use a mini-program (idempotent)', { parameters: grant, responses: { ...ok('the agent after the change', agent), ...errors(404) } }),
            delete: op(STOREPOS, 'Withdraw a mini-program from the agent (idempotent)', {
                parameters: grant,
                responses: { ...ok('the agent after the change', agent), ...errors(404) },
            }),
        },
        [miniapps]: {
            get: op(WECHAT, 'List mini-programs (secrets never shown)', {
                parameters: page,
                responses: { ...ok('a page of mini-programs, oldest first', { type: 'object', properties: { miniapps: { type: 'array', items: miniapp } } }), ...errors(400) },
            }),
            post: op(WECHAT, 'Register a mini-program and its AppSecret', {
                requestBody: body(S.createAppBody),
                responses: { ...ok('the mini-program', miniapp, 201), ...errors(400, 409) },
            }),
        },
        [`${miniapps}/{appid}`]: {
            get: op(WECHAT, 'Show a mini-program', { parameters: appid, responses: { ...ok('the mini-program', miniapp), ...errors(404) } }),
            patch: op(WECHAT, 'Rename a mini-program', {
                parameters: appid,
                requestBody: body(S.updateAppBody),
                responses: { ...ok('the mini-program', miniapp), ...errors(400, 404) },
            }),
        },
        [`${miniapps}/{appid}/secret`]: {
            put: op(WECHAT, 'Replace the AppSecret (after a reset on the WeChat side)', {
                parameters: appid,
                requestBody: body(S.secretBody),
                responses: { ...ok('the mini-program', miniapp), ...errors(400, 404) },
            }),
        },
        [`${miniapps}/{appid}/disable`]: {
            post: op(WECHAT, 'Disable a mini-program: logins with it get FAIL 10004 naming appid', { parameters: appid, responses: { ...ok('the mini-program', miniapp), ...errors(404) } }),
        },
        [`${miniapps}/{appid}/enable`]: {
            post: op(WECHAT, 'Enable a mini-program', { parameters: appid, responses: { ...ok('the mini-program', miniapp), ...errors(404) } }),
        },
        '/admin/api/sandbox/sms': {
            get: op(SANDBOX, 'The SMS the sandbox simulators "sent", newest first', {
                description: 'Filled in sandbox mode (KAIFANG_UPSTREAM=sandbox) by the SMS simulators; read the codes of GetMchSMSValid here.',
                parameters: [
                    { name: 'mobile', in: 'query', required: false, description: 'only this mobile (5–20 digits)', schema: { type: 'string', pattern: '^\\d{5,20}$', examples: ['13800138000'] } },
                    { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
                ],
                responses: { ...ok('the messages', { type: 'object', properties: { messages: { type: 'array', items: ref('SandboxSms') } } }), ...errors(400) },
            }),
            delete: op(SANDBOX, 'Empty the sandbox SMS outbox', {
                responses: { ...ok('how many messages were deleted', { type: 'object', properties: { deleted: { type: 'integer' } } }), ...errors() },
            }),
        },
    },
    components: { schemas: { StoreposAgent: agentView, WechatMiniapp: miniappView, SandboxSms: outboxMessage } },
};
