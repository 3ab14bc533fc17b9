import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, InvalidInput } from '../kernel/errors.ts';
import { constantTimeEqual } from '../kernel/secrets.ts';
import type { CallQuery } from '../core/callLog.ts';
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
    requestId: { type: 'string', minLength: 1, maxLength: 64, description: 'only the call with this request id' },
    since: { type: 'string', maxLength: 40, description: 'inclusive: an ISO 8601 time (2026-03-01T04:00:00Z) or ms since the epoch' },
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

/** The kinds of the HTTP layer's own refusals other than 400 (which is InvalidInput, like every 400). */
const HTTP_KINDS: Record<number, string> = { 404: 'NotFound', 413: 'PayloadTooLarge', 414: 'UriTooLong', 415: 'UnsupportedMediaType' };

/** A `front` parameter: one of the known fronts, else InvalidInput naming `front` and them. */
export function frontParam(value: string, known: readonly string[]): string {
  if (!known.includes(value))
    throw new InvalidInput('front', `front must be one of ${known.join(', ')}; got ${JSON.stringify(value.slice(0, 40))}`);
  return value;
}

/**
 * Checks the admin token of a request (`Authorization: Bearer <token>`, compared in constant
 * time); when it is missing or wrong, answers 401 and returns false.
 */
export function adminAuthorization(k: Kaifang) {
  return (request: FastifyRequest, reply: FastifyReply): boolean => {
    const header = request.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    if (token !== '' && constantTimeEqual(token, k.bootstrap.adminToken)) return true;
    void reply
      .code(401)
      .header('www-authenticate', 'Bearer')
      .send({ error: { kind: 'Unauthorized', message: 'send the admin token as "Authorization: Bearer <token>"' } });
    return false;
  };
}

/**
 * The admin API's shell under `/admin/api`: Bearer admin token, JSON in and out, errors as
 * `{ "error": { "kind", "message", "param"? } }`. Each front's admin routes are mounted at
 * `/admin/api/<name>`; the platform adds the call log and the sandbox.
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
      return;
    }
    if (!authorized(request, reply)) return reply;
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

  useStrictValidation(app);
  app.get('/calls', { schema: { querystring: callsQuery } }, async (request) => {
    const q = request.query as Omit<CallQuery, 'since' | 'until'> & { since?: string; until?: string };
    const query: CallQuery = { ...q, since: timeParam('since', q.since), until: timeParam('until', q.until) };
    return { calls: (await k.callLog.query(query)).map((call) => ({ ...call, at: new Date(call.at).toISOString() })) };
  });
}
