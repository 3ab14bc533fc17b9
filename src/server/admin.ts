import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, InvalidInput } from '../kernel/errors.ts';
import { Readable } from 'node:stream';
import { callsExportQuery, callsQuery, logWindow, timeParam, type CallQuery } from '../core/callQuery.ts';
import { exportCalls, presentCall, type ExportFormat } from '../core/callLogExport.ts';
import { refusal, type AdminPrincipal } from '../core/adminTokens.ts';
import { auditEntry } from './audit.ts';
import { presentAudit, type AuditQuery } from '../core/auditLog.ts';
import { adminTokenRoutes } from './adminTokenRoutes.ts';
import { useStrictValidation } from '../fronts/kit/adminValidation.ts';
import { sandboxAdmin } from '../sandbox/admin.ts';
import { adminErrorStatus } from './adminErrors.ts';
import type { Kaifang } from './kaifang.ts';

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
    ...logWindow,
  },
  additionalProperties: false,
} as const;

// The call log's filters live with the call log (core/callQuery.ts); the OpenAPI document and the console read them here.
export { callsQuery, timeParam };

type CallsParams = Omit<CallQuery, 'since' | 'until'> & { since?: string; until?: string };

/** The call log's query from the request's (validated) query string: times read as ISO 8601 or ms. */
function callQueryOf(q: CallsParams): CallQuery {
  return { ...q, since: timeParam('since', q.since), until: timeParam('until', q.until) };
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

/** The kinds of the HTTP layer's own refusals other than 400 (which is InvalidInput, like every 400). */
const HTTP_KINDS: Record<number, string> = { 404: 'NotFound', 413: 'PayloadTooLarge', 414: 'UriTooLong', 415: 'UnsupportedMediaType' };

/** A `front` parameter: one of the known fronts, else InvalidInput naming `front` and them. */
export function frontParam(value: string, known: readonly string[]): string {
  if (!known.includes(value))
    throw new InvalidInput('front', `front must be one of ${known.join(', ')}; got ${JSON.stringify(value.slice(0, 40))}`);
  return value;
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
  // The README's curl lines send `content-type: application/json` on bodiless actions (enable,
  // rotate-secret…): Fastify refuses an empty JSON body, so here it is read as `{}`, once for every route.
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (String(body).trim() === '') return done(null, {});
    return json(request, body as string, done);
  });
  const knownFronts = k.bound.map((front) => front.name);
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
  // `front` names a front wherever it is taken (the call log): a name that is none is refused, not an empty page.
  app.addHook('preValidation', async (request) => {
    const front = (request.query as Record<string, unknown> | undefined)?.front;
    if (typeof front === 'string' && front !== '') frontParam(front, knownFronts);
  });

  app.setErrorHandler((err, request, reply) => {
    if (err instanceof DomainError) {
      const body: Record<string, unknown> = { kind: err.kind, message: err.message };
      if ('param' in err) body.param = (err as { param: string }).param;
      return reply.code(adminErrorStatus(err)).send({ error: body });
    }
    const e = err as { statusCode?: number; message?: string; code?: string };
    if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
      // Every 400 of the admin API has one kind, InvalidInput, as the schema's and the domain's refusals do.
      const kind = e.statusCode === 400 ? 'InvalidInput' : (HTTP_KINDS[e.statusCode] ?? 'BadRequest');
      const param = e.statusCode === 400 || e.statusCode === 415 ? { param: 'body' } : {};
      return reply.code(e.statusCode).send({ error: { kind, message: e.message ?? 'bad request', ...param } });
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
    const query = callQueryOf(request.query as CallsParams);
    const [calls, total] = await Promise.all([k.callLog.query(query), k.callLog.count(query)]);
    return { calls: calls.map(presentCall), total };
  });

  // Every call the filters select (up to EXPORT_MAX_ROWS), streamed a page at a time.
  app.get('/calls/export', { schema: { querystring: callsExportQuery } }, async (request, reply) => {
    const { format, ...params } = request.query as CallsParams & { format: ExportFormat };
    const query = callQueryOf(params);
    const csv = format === 'csv';
    return reply
      .type(csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
      .header('content-disposition', `attachment; filename="kaifang-calls.${format}"`)
      .send(Readable.from(exportCalls(k.callLog, query, format)));
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
