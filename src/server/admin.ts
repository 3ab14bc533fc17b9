import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, InvalidInput } from '../kernel/errors.ts';
import { CALL_RESULTS, type CallQuery } from '../core/callLog.ts';
import { refusal, type AdminPrincipal } from '../core/adminTokens.ts';
import { auditEntry, presentAudit } from './audit.ts';
import type { AuditQuery } from '../core/auditLog.ts';
import { adminTokenRoutes } from './adminTokenRoutes.ts';
import { useStrictValidation } from '../fronts/kit/adminValidation.ts';
import { sandboxAdmin } from '../sandbox/admin.ts';
import { adminErrorStatus } from './adminErrors.ts';
import type { Kaifang } from './kaifang.ts';

/** The call log's filters; the OpenAPI document describes the same (openapi.ts). */
export const callsQuery = {
  type: 'object',
  properties: {
    front: { type: 'string', minLength: 1, maxLength: 40, description: 'only this front (opretail, storepos, …)' },
    credential: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      description: "only this credential's public id, e.g. an Opretail applicationKey or a storepos agent_id",
    },
    endpoint: { type: 'string', minLength: 1, maxLength: 200, description: 'only this endpoint or method (/m.api methods by name)' },
    outcome: {
      type: 'string',
      minLength: 1,
      maxLength: 100,
      description: "only this outcome, the front's own code as text (0, SUCCESS:10000, 200:000000, …)",
    },
    result: {
      type: 'string',
      enum: CALL_RESULTS,
      description: 'only calls with this result, the same words on every front: ok, refused, upstream_error, error',
    },
    requestId: { type: 'string', minLength: 1, maxLength: 64, description: 'only the call with this request id' },
    since: { type: 'string', maxLength: 40, description: 'inclusive: an ISO 8601 time (2026-03-01T04:00:00Z) or ms since the epoch' },
    until: { type: 'string', maxLength: 40, description: 'exclusive: an ISO 8601 time or ms since the epoch' },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100, description: 'newest first, at most this many' },
    offset: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0, description: 'skip this many (the next page)' },
  },
  additionalProperties: false,
} as const;

/** The audit trail's filters; the OpenAPI document describes the same (openapi.ts). */
export const auditQuery = {
  type: 'object',
  properties: {
    actor: { type: 'string', minLength: 1, maxLength: 200, description: "only this actor: a token's name, console:<name>, cli@<host>" },
    front: { type: 'string', minLength: 1, maxLength: 40, description: 'only writes to this front' },
    action: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      description: 'only actions containing this text (POST /opretail/keys, tokens create)',
    },
    objectId: {
      type: 'string',
      minLength: 1,
      maxLength: 300,
      description: "only writes to this object (a key's applicationKey, an appid, a token's name)",
    },
    since: { type: 'string', maxLength: 40, description: 'inclusive: an ISO 8601 time or ms since the epoch' },
    until: { type: 'string', maxLength: 40, description: 'exclusive: an ISO 8601 time or ms since the epoch' },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100, description: 'newest first, at most this many' },
    offset: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0, description: 'skip this many (the next page)' },
  },
  additionalProperties: false,
} as const;

/**
 * A time filter of the admin API: ISO 8601 with a date and a zone (or a bare date, UTC), or ms
 * since the epoch; InvalidInput naming `param` otherwise. Admin JSON writes every time as ISO 8601 UTC.
 */
export function timeParam(param: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ms = /^\d{1,16}$/.test(value)
    ? Number(value)
    : /^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d{1,3})?)?(Z|[+-]\d\d:\d\d))?$/.test(value)
      ? Date.parse(value)
      : NaN;
  if (!Number.isFinite(ms) || ms > 8_640_000_000_000_000)
    throw new InvalidInput(param, `${param} must be an ISO 8601 time such as 2026-03-01T04:00:00Z, or ms since the epoch`);
  return ms;
}

/** Who each admin request acts as, once its token or console session is checked. */
const principals = new WeakMap<FastifyRequest, { principal: AdminPrincipal; actor: string }>();

/** The principal of an admin or console request that was let in (undefined before, or when refused). */
export function principalOf(request: FastifyRequest): AdminPrincipal | undefined {
  return principals.get(request)?.principal;
}

/** Remembers who a request acts as: `actor` is what the audit trail records. */
export function admit(request: FastifyRequest, principal: AdminPrincipal, actor: string): void {
  principals.set(request, { principal, actor });
}

/** The token of `Authorization: Bearer <token>`, or ''. */
export function bearerOf(request: FastifyRequest): string {
  const header = request.headers.authorization ?? '';
  return header.startsWith('Bearer ') ? header.slice(7).trim() : '';
}

/**
 * Checks the admin token of a request (`Authorization: Bearer <token>`: the root token or a live
 * scoped one, core/adminTokens.ts); when it is missing or wrong, answers 401 and returns false.
 */
export function adminAuthorization(k: Kaifang) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<boolean> => {
    const principal = await k.adminTokens.verify(bearerOf(request));
    if (principal) {
      admit(request, principal, principal.name);
      return true;
    }
    void reply
      .code(401)
      .header('www-authenticate', 'Bearer')
      .send({ error: { kind: 'Unauthorized', message: 'send an admin token as "Authorization: Bearer <token>"' } });
    return false;
  };
}

/** Answers 403 when the request's token may not do this (read-only, other fronts, token management); false then. */
export function withinScope(request: FastifyRequest, reply: FastifyReply, path: string): boolean {
  const principal = principalOf(request);
  const why = principal && refusal(principal, request.method, path);
  if (!why) return true;
  void reply.code(403).send({ error: { kind: 'Forbidden', message: why } });
  return false;
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The admin API's shell under `/admin/api`: Bearer admin token, JSON in and out, errors as
 * `{ "error": { "kind", "message", "param"? } }`. Each front's admin routes are mounted at
 * `/admin/api/<name>`; the platform adds the call log, the sandbox, the admin tokens and the audit trail.
 */
export async function adminApi(
  app: FastifyInstance,
  { k, session }: { k: Kaifang; session?: (request: FastifyRequest, reply: FastifyReply) => Promise<boolean> },
): Promise<void> {
  const authorized = adminAuthorization(k);
  app.addHook('onRequest', async (request, reply) => {
    // The console's session (its cookie, and its CSRF token on writes) when no Bearer header is sent.
    if (session && request.headers.authorization === undefined && request.headers.cookie !== undefined) {
      if (!(await session(request, reply))) return reply;
    } else if (!(await authorized(request, reply))) return reply;
    if (!withinScope(request, reply, adminPath(request.url))) return reply;
  });
  // One hook records every write of a known caller — done or refused — before its reply leaves,
  // so a caller that sees the reply finds the row (audit.ts).
  app.addHook('onSend', async (request, reply, payload) => {
    if (!WRITES.has(request.method)) return payload;
    const who = principals.get(request);
    if (!who) return payload;
    try {
      await k.audit.record(auditEntry(k, request, reply.statusCode, payload, who.actor));
    } catch (err) {
      request.log.error({ err }, 'audit trail write failed');
    }
    return payload;
  });

  app.setErrorHandler((err, request, reply) => {
    if (err instanceof DomainError) {
      const body: Record<string, unknown> = { kind: err.kind, message: err.message };
      if ('param' in err) body.param = (err as { param: string }).param;
      return reply.code(adminErrorStatus(err)).send({ error: body });
    }
    const e = err as { statusCode?: number; message?: string; validation?: unknown };
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      return reply.code(e.statusCode).send({ error: { kind: 'BadRequest', message: e.message ?? 'bad request' } });
    }
    request.log.error({ err }, 'admin API failure');
    return reply.code(500).send({ error: { kind: 'Internal', message: `internal error; request id ${request.id}` } });
  });

  for (const front of k.bound) {
    if (front.admin) await app.register(front.admin, { ctx: k.frontContext, prefix: `/${front.name}` });
  }
  await app.register(sandboxAdmin, { outbox: k.outbox, templateInbox: k.templateInbox, prefix: '/sandbox' });
  await app.register(adminTokenRoutes, { k });

  useStrictValidation(app);
  app.get('/calls', { schema: { querystring: callsQuery } }, async (request) => {
    const q = request.query as Omit<CallQuery, 'since' | 'until'> & { since?: string; until?: string };
    const query: CallQuery = { ...q, since: timeParam('since', q.since), until: timeParam('until', q.until) };
    return { calls: (await k.callLog.query(query)).map((call) => ({ ...call, at: new Date(call.at).toISOString() })) };
  });
  app.get('/audit', { schema: { querystring: auditQuery } }, async (request) => {
    const q = request.query as Omit<AuditQuery, 'since' | 'until'> & { since?: string; until?: string; limit: number; offset: number };
    const rows = await k.audit.query({ ...q, since: timeParam('since', q.since), until: timeParam('until', q.until) });
    return { entries: rows.map(presentAudit), limit: q.limit, offset: q.offset };
  });
}

/** The path of an admin API URL after `/admin/api`, without its query: `/opretail/keys`. */
function adminPath(url: string): string {
  const path = url.split('?')[0] ?? '';
  return path.startsWith('/admin/api') ? path.slice('/admin/api'.length) : path;
}
