import { LIMITS } from '../../../kernel/validation.ts';

/**
 * JSON schemas of the Opretail admin API. The routes validate with them and the OpenAPI document
 * is built from them, so the two cannot drift apart. The schemas check types, enums and required
 * fields; the core services check the finer rules (patterns, URLs) and name the field themselves.
 */

const nullableInt = (maximum: number, description: string) => ({ type: ['integer', 'null'], minimum: 1, maximum, description });
const cstTime = {
  type: ['string', 'null'],
  description: 'ISO 8601 with a zone, or China Standard Time "yyyy-MM-dd HH:mm:ss" (or "yyyy-MM-dd"); null = never expires',
  examples: ['2027-12-31T00:00:00+08:00', '2027-12-31 00:00:00'],
};

/** Fields of a key an operator may set at creation and change later. */
const keyFields = {
  username: { type: 'string', minLength: 1, maxLength: 100, description: 'developer name' },
  enterpriseId: {
    type: 'integer',
    minimum: 1,
    maximum: LIMITS.enterpriseId,
    description: 'open-platform enterprise id (the `orgid` of open.gateway.authentication)',
  },
  keytype: { type: 'integer', enum: [1, 2], description: "1 formal, 2 test (test keys go to a method's test URL)" },
  expire: cstTime,
  shopwebEnterpriseId: nullableInt(LIMITS.enterpriseId, 'business-platform enterprise id'),
  developerType: { type: 'integer', enum: [1, 2, 3], description: '1 administrator (every method), 2 normal, 3 vendor' },
  supplierAccount: { type: ['string', 'null'], maxLength: 100, description: 'supplier account' },
  ratePerSecond: nullableInt(LIMITS.ratePerSecond, 'calls per second for this key; null = the deployment default'),
  ratePerDay: nullableInt(LIMITS.ratePerDay, 'calls per CST day for this key; null = the deployment default'),
} as const;

export const createKeyBody = {
  type: 'object',
  additionalProperties: false,
  required: ['username', 'enterpriseId'],
  properties: {
    ...keyFields,
    applicationKey: { type: 'string', description: 'import an existing key (1–20 of A-Z a-z 0-9 _ . -); default `<aid>-<random>`' },
    secret: {
      type: 'string',
      description:
        'import an existing secret as it is (1–128 printable ASCII without spaces; one shorter than 16 is accepted with a warning); default 32 random characters',
    },
    applicationSecret: { type: 'string', description: 'the older name of `secret` (deprecated); not both' },
    applicationId: { type: 'string', description: "the key's `_aid`; default this deployment's" },
  },
} as const;

export const updateKeyBody = { type: 'object', additionalProperties: false, minProperties: 1, properties: keyFields } as const;

// Both bodies are optional: a POST without one is validated as null.
export const expireBody = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: {
    at: {
      ...cstTime,
      description: 'when the key expires (ISO 8601 with a zone, or CST "yyyy-MM-dd HH:mm:ss"); absent = now; null = never',
    },
  },
} as const;

export const rotateBody = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: {
    applicationSecret: { type: 'string', description: 'the new secret (16–128 printable ASCII); absent = 32 random characters' },
  },
} as const;

const methodFields = {
  url: { type: 'string', description: 'absolute http(s) URL the gateway POSTs the business parameters to' },
  testUrl: { type: ['string', 'null'], description: 'where test keys and `environment: test|dev` calls go' },
  timeoutMs: nullableInt(LIMITS.timeoutMs, 'upstream timeout, ms; null = the deployment default'),
  ratePerSecond: nullableInt(LIMITS.ratePerSecond, 'calls per second per key for this method; null = no own limit'),
  ratePerDay: nullableInt(LIMITS.ratePerDay, 'calls per CST day per key for this method; null = no own limit'),
  description: { type: ['string', 'null'], maxLength: 1000 },
} as const;

export const createMethodBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'version', 'url'],
  properties: {
    name: { type: 'string', description: 'method name (`_mt`), 1–100 of A-Z a-z 0-9 . _ -', examples: ['shop.order.list'] },
    version: { type: 'string', description: 'method version (`_version`)', examples: ['v1'] },
    ...methodFields,
  },
} as const;

export const updateMethodBody = { type: 'object', additionalProperties: false, minProperties: 1, properties: methodFields } as const;

export const akeyParams = {
  type: 'object',
  required: ['akey'],
  properties: { akey: { type: 'string', description: 'the developer key (`applicationKey`)' } },
} as const;

export const methodParams = {
  type: 'object',
  required: ['name', 'version'],
  properties: { name: { type: 'string' }, version: { type: 'string' } },
} as const;

export const grantParams = {
  type: 'object',
  required: ['akey', 'name', 'version'],
  properties: { ...akeyParams.properties, ...methodParams.properties },
} as const;

/** Response shapes, for the OpenAPI document only (replies are not filtered through them). */
export const developerKeyView = {
  type: 'object',
  description: 'A developer key in the fields of open.gateway.authentication, plus its own rate limits.',
  properties: {
    id: { type: 'integer' },
    username: { type: 'string' },
    applicationId: { type: 'string', examples: ['S107'] },
    applicationKey: { type: 'string', examples: ['S107-a1b2c3d4e5f6'] },
    secret: { type: 'string', description: 'the applicationSecret, only in the replies of create, rotate-secret and set-secret' },
    status: { type: 'string', enum: ['enabled', 'disabled'], description: 'what switchStatus says: "1" enabled, "2" disabled' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
    keytype: { type: 'integer', enum: [1, 2] },
    ifexpire: { type: 'integer', enum: [1, 2, 3], description: '1 never expires, 2 expired, 3 in service' },
    expire: { type: ['string', 'null'], format: 'date-time', description: 'ISO 8601, UTC', examples: ['2027-12-30T16:00:00.000Z'] },
    enterpriseId: { type: 'integer' },
    shopwebEnterpriseId: { type: ['integer', 'null'] },
    switchStatus: { type: 'string', enum: ['1', '2'], description: '1 enabled, 2 disabled' },
    switchTime: { type: ['string', 'null'], format: 'date-time', description: 'ISO 8601, UTC' },
    developerType: { type: 'integer', enum: [1, 2, 3] },
    supplierAccount: { type: ['string', 'null'] },
    ratePerSecond: { type: ['integer', 'null'] },
    ratePerDay: { type: ['integer', 'null'] },
    warnings: { type: 'array', items: { type: 'string' }, description: "create only: e.g. an imported secret weaker than kaifang's own" },
  },
} as const;

export const gatewayMethodView = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    version: { type: 'string' },
    url: { type: 'string' },
    testUrl: { type: ['string', 'null'] },
    timeoutMs: { type: ['integer', 'null'] },
    enabled: { type: 'boolean' },
    ratePerSecond: { type: ['integer', 'null'] },
    ratePerDay: { type: ['integer', 'null'] },
    description: { type: ['string', 'null'] },
    createdAt: { type: 'string', format: 'date-time', description: 'ISO 8601, UTC' },
    updatedAt: { type: 'string', format: 'date-time', description: 'ISO 8601, UTC' },
  },
} as const;

export const grantsView = {
  type: 'object',
  properties: {
    applicationKey: { type: 'string' },
    allMethods: { type: 'boolean', description: 'true for administrator keys (developerType 1), which may call every method' },
    grants: { type: 'array', items: { $ref: '#/components/schemas/OpretailMethod' } },
  },
} as const;
