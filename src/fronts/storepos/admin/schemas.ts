import { LIMITS } from '../../../kernel/validation.ts';

/**
 * JSON schemas of the storepos admin API. The routes validate with them and the OpenAPI document
 * is built from them (adminOpenapi.ts): what is validated is what is documented. The core services
 * check the finer rules (patterns, lengths) and name the field themselves.
 */

const agentId = { type: 'string', description: 'the agent number (`agent_id`)', examples: ['13000000000000000'] };
const appid = { type: 'string', description: "the mini-program's WeChat appid", examples: ['wx1234567890abcdef'] };
export const agentParams = { type: 'object', properties: { agentId }, required: ['agentId'] };
export const grantParams = { type: 'object', properties: { agentId, appid }, required: ['agentId', 'appid'] };
const cap = {
  type: ['integer', 'null'],
  minimum: 0,
  maximum: LIMITS.smsDailyCap,
  description: 'own SMS sends per CST day; null = the deployment default (KAIFANG_STOREPOS_SMS_PER_AGENT_PER_DAY)',
};
const name = { type: 'string', description: '1–100 characters' };

export const createAgentBody = {
  type: 'object',
  properties: {
    name,
    agentId: { type: 'string', description: 'import an existing agent number (1–32 digits); default 17 random digits' },
    secret: {
      type: 'string',
      description:
        'import an existing key as it is (1–128 printable ASCII, no spaces; one shorter than 16 is accepted with a warning); default 32 random characters',
    },
    key: { type: 'string', description: 'the older name of `secret` (deprecated); not both' },
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
/** `rotate-secret`: no body (kaifang makes the new key up); `{}` or null is taken too. */
export const rotateBody = { type: ['object', 'null'], properties: {}, additionalProperties: false };

/** The deprecated `rotate-key`: an optional key to set. */
export const rotateKeyBody = {
  type: ['object', 'null'],
  properties: { key: { type: 'string', description: 'the new key (16–128 printable ASCII, no spaces); absent = 32 random characters' } },
  additionalProperties: false,
};

/** An agent as the admin API shows it (present.ts); for the OpenAPI document only. */
export const agentView = {
  type: 'object',
  description:
    'A storepos agent (代理商). `secret` (its key) only in the replies of create and rotate-secret; `appids` in every reply but the list.',
  properties: {
    agentId: { type: 'string', description: 'the `agent_id` it signs with', examples: ['13000000000000000'] },
    name: { type: 'string' },
    status: { type: 'string', enum: ['enabled', 'disabled'], description: 'a disabled agent gets FAIL 10005' },
    smsDailyCap: { type: ['integer', 'null'], description: 'own SMS sends per CST day; null = the deployment default' },
    secret: { type: 'string', description: 'the agent key, shown only right after create or rotate-secret' },
    appids: { type: 'array', items: { type: 'string' }, description: 'the mini-programs granted to the agent' },
    warnings: { type: 'array', items: { type: 'string' }, description: "create only: e.g. an imported key weaker than kaifang's own" },
    createdAt: { type: 'string', format: 'date-time', description: 'ISO 8601, UTC' },
    updatedAt: { type: 'string', format: 'date-time', description: 'ISO 8601, UTC' },
  },
};
