import { listQuery, setSecretBody } from '../../kit/adminValidation.ts';
import {
  body,
  deleteOperation,
  errors,
  secretPaths,
  ok,
  operation,
  pathParams,
  queryParams,
  ref,
  type OpenApiFragment,
} from '../../kit/openapi.ts';
import * as S from './schemas.ts';

/** The storepos (超赢) agents and their grants in the OpenAPI document, from the schemas the routes validate with. */

const TAG = 'admin: storepos';
const op = (summary: string, extra: Record<string, unknown>) => operation(TAG, summary, extra);
const agent = ref('StoreposAgent');
const agentId = pathParams(S.agentParams);
const grant = pathParams(S.grantParams);
const agents = '/admin/api/storepos/agents';

export const storeposAdminOpenApi: OpenApiFragment = {
  tags: [
    {
      name: TAG,
      description: 'storepos (超赢) agents and their mini-program grants. Changes reach running servers within KAIFANG_CACHE_TTL_MS.',
    },
  ],
  paths: {
    [agents]: {
      get: op('List agents (keys never shown)', {
        parameters: queryParams(listQuery),
        responses: {
          ...ok('a page of agents, oldest first', { type: 'object', properties: { agents: { type: 'array', items: agent } } }),
          ...errors(400),
        },
      }),
      post: op('Create an agent, or import one with agentId/key', {
        description: 'The reply is the only time the key is shown (besides rotate-secret).',
        requestBody: body(S.createAgentBody),
        responses: { ...ok('the new agent, with key', agent, 201), ...errors(400, 409) },
      }),
    },
    [`${agents}/{agentId}`]: {
      get: op('Show an agent and its grants', { parameters: agentId, responses: { ...ok('the agent', agent), ...errors(404) } }),
      patch: op("Change an agent's name or SMS cap", {
        parameters: agentId,
        requestBody: body(S.updateAgentBody),
        responses: { ...ok('the agent', agent), ...errors(400, 404) },
      }),
      delete: deleteOperation(TAG, 'agent', agentId, 'its mini-program grants go with it, in one transaction'),
    },
    ...secretPaths(TAG, `${agents}/{agentId}`, agentId, agent, { rotate: true, setBody: setSecretBody, what: 'agent' }),
    [`${agents}/{agentId}/disable`]: {
      post: op('Disable an agent: its calls get FAIL 10005', {
        parameters: agentId,
        responses: { ...ok('the agent', agent), ...errors(404) },
      }),
    },
    [`${agents}/{agentId}/enable`]: {
      post: op('Enable an agent', { parameters: agentId, responses: { ...ok('the agent', agent), ...errors(404) } }),
    },
    [`${agents}/{agentId}/rotate-key`]: {
      post: op('Deprecated (rotate-secret / set-secret): replace the key (random, or the given one)', {
        parameters: agentId,
        requestBody: body(S.rotateKeyBody, false),
        responses: { ...ok('the agent with its new key, shown this once', agent), ...errors(400, 404) },
      }),
    },
    [`${agents}/{agentId}/grants/{appid}`]: {
      put: op('Let the agent use a mini-program (idempotent)', {
        parameters: grant,
        responses: { ...ok('the agent after the change', agent), ...errors(404) },
      }),
      delete: op('Withdraw a mini-program from the agent (idempotent)', {
        parameters: grant,
        responses: { ...ok('the agent after the change', agent), ...errors(404) },
      }),
    },
  },
  components: { schemas: { StoreposAgent: S.agentView } },
};
