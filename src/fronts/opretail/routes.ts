import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MethodFailed } from './domain/forward.ts';
import { bodyOf, useFrontBodyParsers } from '../kit/bodies.ts';
import type { FrontPluginOptions } from '../kit/front.ts';
import { answerRefusals, refuseOtherMethods } from '../kit/refusals.ts';
import { CODES, failureOf, type Codename } from './codes.ts';
import { runGateway, type CallState } from './gateway.ts';
import { peekFormat } from './params.ts';
import { envelope, render } from './reply.ts';
import type { OpretailServices } from './services.ts';

const rawQueryOf = (url: string) => {
  const q = url.indexOf('?');
  return q === -1 ? '' : url.slice(q + 1);
};

/**
 * The 万店掌 (Opretail) gateway: `/m.api`, GET, POST, PUT or DELETE (the Java SDK 1.2.8 sends PUT
 * and DELETE on purpose; all four are served alike). Every reply the gateway decides, errors
 * included, is HTTP 200 with the gateway shape, because the vendor SDKs read `stat.code` from the
 * body whatever the status. Requests refused unread keep their HTTP status, still in the gateway
 * shape: a body over the size limit (413), another HTTP method (405), and — answered by the server
 * through `opretailRefusal` — broken framing, oversize headers, a stalled body, a path variant.
 */
export async function opretailRoutes(app: FastifyInstance, { services, ctx }: FrontPluginOptions<OpretailServices>): Promise<void> {
  useFrontBodyParsers(app);

  const send = (
    request: FastifyRequest,
    reply: FastifyReply,
    call: CallState,
    startedAt: bigint,
    codename: Codename,
    result: string,
    data: unknown,
    status = 200,
  ) => {
    let rendered: { contentType: string; payload: string };
    try {
      rendered = render(call.format, envelope(request.id, ctx.clock.now(), codename, result, data));
    } catch (err) {
      // Data that cannot be rendered is the gateway's failure, answered (and counted) once.
      request.log.error({ err }, 'opretail gateway: the reply cannot be rendered');
      codename = 'UNKNOWN_ERROR';
      rendered = render(call.format, envelope(request.id, ctx.clock.now(), codename, failureOf(undefined).result, null));
    }
    ctx.observe({
      front: 'opretail',
      endpoint: call.endpoint,
      credential: call.credential,
      outcome: String(CODES[codename]),
      startedAt,
      requestId: request.id,
    });
    return reply.code(status).header('content-type', rendered.contentType).send(rendered.payload);
  };

  answerRefusals(app, ctx, (refusal, request, reply) => {
    const call: CallState = { format: peekFormat(rawQueryOf(request.url)), credential: null, endpoint: '/m.api' };
    const startedAt = process.hrtime.bigint();
    if (refusal.unexpected) return send(request, reply, call, startedAt, 'UNKNOWN_ERROR', failureOf(undefined).result, null);
    return send(request, reply, call, startedAt, 'SIGN_WRONG', refusal.message, null, refusal.status === 413 ? 413 : 200);
  });

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const startedAt = process.hrtime.bigint();
    const rawQuery = rawQueryOf(request.url);
    // Until the parameters are read, a query asking for XML gets XML.
    const call: CallState = { format: peekFormat(rawQuery), credential: null, endpoint: '/m.api' };
    const environment = request.headers.environment;
    try {
      const data = await runGateway(
        services,
        ctx,
        { id: request.id, rawQuery, body: bodyOf(request), environment: typeof environment === 'string' ? environment : undefined },
        call,
      );
      return send(request, reply, call, startedAt, 'SUCCESS', 'success', data);
    } catch (err) {
      const failure = failureOf(err);
      if (failure.unexpected) request.log.error({ err }, 'opretail gateway: unexpected error');
      else if (err instanceof MethodFailed)
        request.log.warn({ method: call.endpoint, status: err.status, detail: err.detail }, `opretail method failed: ${err.message}`);
      return send(request, reply, call, startedAt, failure.codename, failure.result, null);
    }
  };
  app.route({ method: ['GET', 'POST', 'PUT', 'DELETE'], url: '/m.api', handler, exposeHeadRoute: false });
  refuseOtherMethods(app, '/m.api', ['GET', 'POST', 'PUT', 'DELETE'], (request, reply) => {
    const call: CallState = { format: peekFormat(rawQueryOf(request.url)), credential: null, endpoint: '/m.api' };
    return send(
      request,
      reply,
      call,
      process.hrtime.bigint(),
      'REQUESTMODE_NOTNULL',
      `HTTP ${request.method} is not served on /m.api; send GET, POST, PUT or DELETE`,
      null,
      405,
    );
  });
}
