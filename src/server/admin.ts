import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../kernel/errors.ts';
import { constantTimeEqual } from '../kernel/secrets.ts';
import { Readable } from 'node:stream';
import { callsExportQuery, callsQuery, timeParam, type CallQuery } from '../core/callQuery.ts';
import { exportCalls, presentCall, type ExportFormat } from '../core/callLogExport.ts';
import { useStrictValidation } from '../fronts/kit/adminValidation.ts';
import { sandboxAdmin } from '../sandbox/admin.ts';
import { adminErrorStatus } from './adminErrors.ts';
import type { Kaifang } from './kaifang.ts';

// The call log's filters live with the call log (core/callQuery.ts); the OpenAPI document and the console read them here.
export { callsQuery, timeParam };

type CallsParams = Omit<CallQuery, 'since' | 'until'> & { since?: string; until?: string };

/** The call log's query from the request's (validated) query string: times read as ISO 8601 or ms. */
function callQueryOf(q: CallsParams): CallQuery {
  return { ...q, since: timeParam('since', q.since), until: timeParam('until', q.until) };
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
  app.addHook('onRequest', async (request, reply) => {
    // The console's session (its cookie, and its CSRF token on writes) when no Bearer header is sent.
    if (session && request.headers.authorization === undefined && request.headers.cookie !== undefined) {
      if (!(await session(request, reply))) return reply;
      return;
    }
    if (!authorized(request, reply)) return reply;
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
}
