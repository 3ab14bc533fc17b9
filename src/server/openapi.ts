import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { fronts } from '../fronts/all.ts';
import { queryParams, type OpenApiFragment } from '../fronts/kit/openapi.ts';
import { callsExportQuery } from '../core/callQuery.ts';
import { auditQuery, callsQuery } from './admin.ts';
import { createTokenBody } from './adminTokenRoutes.ts';
import { consoleOpenApi } from './console/openapi.ts';
import type { Kaifang } from './kaifang.ts';

/**
 * The OpenAPI 3.1 document served at `/openapi.json`: the platform's own fragment (below) merged
 * with every front's (each front's descriptor lists its wire and admin fragments).
 */

type Json = Record<string, unknown>;

/** `{ error: { kind, message, param? } }`, the admin API's one error shape. */
const adminError = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['kind', 'message'],
      properties: {
        kind: { type: 'string', examples: ['InvalidInput', 'NotFound', 'Conflict', 'Unauthorized', 'BadRequest'] },
        message: { type: 'string' },
        param: { type: 'string', description: 'the field, query or path parameter at fault (InvalidInput)' },
      },
    },
  },
};
const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/AdminError' } } },
});

const sandboxSms = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    at: { type: 'string', format: 'date-time', description: 'ISO 8601, UTC' },
    provider: { type: 'string', description: 'the simulator that received it', examples: ['sandbox', 'aliyun', 'tencent', 'webhook'] },
    mobile: { type: 'string', examples: ['13800138000'] },
    text: { type: 'string', description: 'the SMS as the user would read it' },
    code: { type: ['string', 'null'], description: 'the verification code it carries' },
    template: { type: ['string', 'null'], description: 'the provider template id or code, when the provider uses templates' },
  },
};

const sandboxTemplateMessage = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    at: { type: 'string', format: 'date-time', description: 'ISO 8601, UTC' },
    appid: { type: 'string', description: 'the official account that sent it' },
    touser: { type: 'string', description: 'the openid it went to' },
    templateId: { type: 'string' },
    url: { type: ['string', 'null'] },
    data: {
      type: 'object',
      additionalProperties: { type: 'object', properties: { value: { type: 'string' } } },
      description: 'keyword → value, as sent',
    },
    msgid: { type: 'string', description: 'the message id the simulator answered' },
  },
};

const adminOk = (description: string, schema: unknown) => ({
  200: { description, content: { 'application/json': { schema } } },
  401: { $ref: '#/components/responses/Unauthorized' },
});

/** The platform's own endpoints: health, readiness, metrics, the call log, the sandbox outbox and inbox. */
export const platformOpenApi: OpenApiFragment = {
  tags: [
    { name: 'platform', description: 'Health, readiness and metrics (no authentication).' },
    { name: 'admin', description: 'The admin API: `Authorization: Bearer <admin token>` (KAIFANG_ADMIN_TOKEN or data-dir/admin.token).' },
    { name: 'admin: sandbox', description: 'The sandbox: what the simulated upstream services received.' },
  ],
  paths: {
    '/healthz': {
      get: { tags: ['platform'], summary: 'The process answers', security: [], responses: { 200: { description: '`{"status":"ok"}`' } } },
    },
    '/readyz': {
      get: {
        tags: ['platform'],
        summary: 'The database and the state store answer',
        security: [],
        responses: {
          200: { description: '`{"status":"ready","checks":{...}}`' },
          503: { description: 'a check fails; `checks` says which' },
        },
      },
    },
    '/metrics': {
      get: {
        tags: ['platform'],
        summary: 'Prometheus metrics',
        security: [],
        responses: { 200: { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } } },
      },
    },
    '/openapi.json': {
      get: { tags: ['platform'], summary: 'This document', security: [], responses: { 200: { description: 'OpenAPI 3.1 JSON' } } },
    },
    '/admin/api/calls': {
      get: {
        tags: ['admin'],
        summary: 'The call log, newest first (never contains secrets)',
        parameters: queryParams(callsQuery),
        responses: {
          200: {
            description: 'the calls',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    calls: {
                      type: 'array',
                      items: {
                        type: 'object',
                        properties: {
                          at: { type: 'string', format: 'date-time', description: 'ISO 8601, UTC' },
                          front: { type: 'string' },
                          endpoint: { type: 'string' },
                          credential: { type: ['string', 'null'] },
                          outcome: { type: 'string' },
                          latencyMs: { type: 'number' },
                          requestId: { type: 'string' },
                        },
                      },
                    },
                    total: { type: 'integer', description: 'how many calls the filters select (limit and offset aside)' },
                  },
                },
              },
            },
          },
          401: { $ref: '#/components/responses/Unauthorized' },
        },
      },
    },
    '/admin/api/audit': {
      get: {
        tags: ['admin'],
        summary: 'The audit trail, newest first: every admin write of the API and the CLI (never a secret)',
        description:
          'One row per POST, PUT, PATCH or DELETE of a known caller — done (`outcome` "ok") or refused ("403 Forbidden", "409 Conflict", …) — and per write command of the CLI. Not open to a token limited to some fronts.',
        parameters: queryParams(auditQuery),
        responses: {
          ...adminOk('the entries', {
            type: 'object',
            properties: {
              entries: { type: 'array', items: { $ref: '#/components/schemas/AuditEntry' } },
              limit: { type: 'integer' },
              offset: { type: 'integer' },
            },
          }),
          400: { $ref: '#/components/responses/BadRequest' },
          403: { $ref: '#/components/responses/Forbidden' },
        },
      },
    },
    '/admin/api/tokens': {
      get: {
        tags: ['admin'],
        summary: 'The scoped admin tokens, revoked ones too (never their secrets)',
        description: 'Only the root token or a write token for every front may manage tokens.',
        responses: {
          ...adminOk('the tokens', {
            type: 'object',
            properties: { tokens: { type: 'array', items: { $ref: '#/components/schemas/AdminToken' } } },
          }),
          403: { $ref: '#/components/responses/Forbidden' },
        },
      },
      post: {
        tags: ['admin'],
        summary: 'Issue a named scoped token; its secret is in this reply only',
        requestBody: { required: true, content: { 'application/json': { schema: createTokenBody } } },
        responses: {
          201: {
            description: 'the token, with its secret `token` (shown once)',
            content: {
              'application/json': {
                schema: {
                  allOf: [{ $ref: '#/components/schemas/AdminToken' }, { type: 'object', properties: { token: { type: 'string' } } }],
                },
              },
            },
          },
          400: { $ref: '#/components/responses/BadRequest' },
          401: { $ref: '#/components/responses/Unauthorized' },
          403: { $ref: '#/components/responses/Forbidden' },
          409: { $ref: '#/components/responses/Conflict' },
        },
      },
    },
    '/admin/api/tokens/{name}/revoke': {
      post: {
        tags: ['admin'],
        summary: 'Revoke a scoped token: refused by every process within KAIFANG_ADMIN_TOKEN_CACHE_MS',
        parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          ...adminOk('the token, revoked', { $ref: '#/components/schemas/AdminToken' }),
          403: { $ref: '#/components/responses/Forbidden' },
          404: { $ref: '#/components/responses/NotFound' },
        },
      },
    },
    '/admin/api/calls/export': {
      get: {
        tags: ['admin'],
        summary: 'Every call the filters select, newest first, streamed as CSV or JSON lines',
        description:
          'CSV: a header row (at,front,endpoint,credential,outcome,result,latencyMs,requestId), CRLF line ends, RFC 4180 quoting; a cell starting with = + - @, a tab or a carriage return is prefixed with a single quote unless it is a plain number. JSON lines: the objects of GET /admin/api/calls, one a line.',
        parameters: queryParams(callsExportQuery),
        responses: {
          200: {
            description: 'the calls',
            content: { 'text/csv': { schema: { type: 'string' } }, 'application/x-ndjson': { schema: { type: 'string' } } },
          },
          400: { $ref: '#/components/responses/BadRequest' },
          401: { $ref: '#/components/responses/Unauthorized' },
        },
      },
    },
    '/admin/api/sandbox/sms': {
      get: {
        tags: ['admin: sandbox'],
        summary: 'The SMS the sandbox simulators "sent", newest first',
        description: 'Filled in sandbox mode (KAIFANG_UPSTREAM=sandbox) by the SMS simulators; read the codes of GetMchSMSValid here.',
        parameters: [
          {
            name: 'mobile',
            in: 'query',
            required: false,
            description: 'only this mobile (5–20 digits)',
            schema: { type: 'string', pattern: '^\\d{5,20}$', examples: ['13800138000'] },
          },
          { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
        ],
        responses: {
          ...adminOk('the messages', {
            type: 'object',
            properties: { messages: { type: 'array', items: { $ref: '#/components/schemas/SandboxSms' } } },
          }),
          400: { $ref: '#/components/responses/BadRequest' },
        },
      },
      delete: {
        tags: ['admin: sandbox'],
        summary: 'Empty the sandbox SMS outbox',
        responses: adminOk('how many messages were deleted', { type: 'object', properties: { deleted: { type: 'integer' } } }),
      },
    },
    '/admin/api/sandbox/template-messages': {
      get: {
        tags: ['admin: sandbox'],
        summary: 'The template messages the sandbox WeChat "delivered", newest first',
        description: 'Filled in sandbox mode by the official-account simulator: the 微厅 prize notices land here.',
        parameters: [
          { name: 'touser', in: 'query', required: false, description: 'only this openid', schema: { type: 'string', maxLength: 128 } },
          { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
        ],
        responses: {
          ...adminOk('the messages', {
            type: 'object',
            properties: { messages: { type: 'array', items: { $ref: '#/components/schemas/SandboxTemplateMessage' } } },
          }),
          400: { $ref: '#/components/responses/BadRequest' },
        },
      },
      delete: {
        tags: ['admin: sandbox'],
        summary: 'Empty the sandbox template-message inbox',
        responses: adminOk('how many messages were deleted', { type: 'object', properties: { deleted: { type: 'integer' } } }),
      },
    },
  },
  components: {
    schemas: {
      AdminError: adminError,
      SandboxSms: sandboxSms,
      SandboxTemplateMessage: sandboxTemplateMessage,
      AdminToken: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          scope: { type: 'string', enum: ['read', 'write'] },
          fronts: { type: ['array', 'null'], items: { type: 'string' }, description: 'the fronts it is limited to; null = every front' },
          createdAt: { type: 'string', format: 'date-time' },
          lastUsedAt: { type: ['string', 'null'], format: 'date-time', description: 'to the minute' },
          revokedAt: { type: ['string', 'null'], format: 'date-time' },
          status: { type: 'string', enum: ['active', 'revoked'] },
        },
      },
      AuditEntry: {
        type: 'object',
        properties: {
          id: { type: 'integer' },
          at: { type: 'string', format: 'date-time', description: 'ISO 8601, UTC' },
          actor: {
            type: 'string',
            description: "a token's name (root for the root token), console:<name>, or cli@<host>",
            examples: ['root', 'console:root', 'cli@ops-1'],
          },
          action: {
            type: 'string',
            description: 'the method and route, or the CLI command',
            examples: ['PATCH /opretail/keys/:akey', 'opretail keys create'],
          },
          front: { type: ['string', 'null'] },
          objectId: { type: ['string', 'null'], description: 'the path parameters, or the key of the record created' },
          outcome: { type: 'string', examples: ['ok', '403 Forbidden', 'refused Conflict'] },
          detail: { description: 'the non-secret fields of the request (or CLI options); every field named like key material is dropped' },
          requestId: { type: ['string', 'null'] },
        },
      },
    },
    responses: {
      BadRequest: errorResponse('invalid input; `error.param` names the field'),
      Unauthorized: errorResponse('missing or wrong admin token'),
      Forbidden: errorResponse(
        'the token may not do this: `error.message` says what it may (read-only, limited to some fronts, or not a token manager)',
      ),
      NotFound: errorResponse('no such resource'),
      Conflict: errorResponse('it already exists'),
    },
  },
};

/** Every fragment of the document: the platform's, then each front's. */
export const openApiFragments: OpenApiFragment[] = [platformOpenApi, consoleOpenApi, ...fronts.flatMap((front) => front.openapi)];

function mergeInto(target: Record<string, unknown>, source: Record<string, unknown> | undefined, what: string): void {
  for (const [name, value] of Object.entries(source ?? {})) {
    // Two fragments describing the same thing is a bug in one of them: fail loudly, at start-up.
    if (name in target) throw new Error(`OpenAPI: ${what} ${name} is described twice`);
    target[name] = value;
  }
}

/** Merges fragments into one document. */
export function buildOpenApiDocument(fragments: OpenApiFragment[], info: { version: string; serverUrl?: string }) {
  const paths: Record<string, Record<string, Json>> = {};
  const schemas: Record<string, unknown> = {};
  const parameters: Record<string, unknown> = {};
  const responses: Record<string, unknown> = {};
  const tags: { name: string; description: string }[] = [];
  for (const f of fragments) {
    for (const [path, operations] of Object.entries(f.paths)) {
      paths[path] ??= {};
      mergeInto(paths[path], operations, `operation of ${path}:`);
    }
    mergeInto(schemas, f.components?.schemas, 'schema');
    mergeInto(parameters, f.components?.parameters, 'parameter');
    mergeInto(responses, f.components?.responses, 'response');
    tags.push(...(f.tags ?? []));
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'kaifang',
      version: info.version,
      description: 'kaifang (开放), a self-hosted open-platform server: the wire-compatible fronts, and the admin API that operates them.',
    },
    ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
    // Admin by default; the fronts and platform endpoints say `security: []` (fronts sign each request instead).
    security: [{ adminToken: [] }],
    tags,
    paths,
    components: {
      securitySchemes: {
        adminToken: {
          type: 'http',
          scheme: 'bearer',
          description:
            'the root admin token (data-dir/admin.token or KAIFANG_ADMIN_TOKEN, rotated by `kaifang admin rotate-token`) or a scoped token (`/admin/api/tokens`)',
        },
      },
      schemas,
      parameters,
      responses,
    },
  };
}

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** `GET /openapi.json`; merged once at start-up so a bad fragment stops the server, not a request. */
export async function openApiRoutes(app: FastifyInstance, { k }: { k: Kaifang }): Promise<void> {
  const base = buildOpenApiDocument(openApiFragments, { version });
  app.get('/openapi.json', async () => ({ ...base, servers: [{ url: k.selfUrl() }] }));
}
