import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MethodFailed } from './domain/forward.ts';
import { bodyOf } from '../kit/bodies.ts';
import type { FrontPluginOptions } from '../kit/front.ts';
import { frontWire, resultOf } from '../kit/wire.ts';
import { CODES, failureOf, type Codename, UNEXPECTED } from './codes.ts';
import { opretailRefusal } from './refuse.ts';
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
export async function opretailRoutes(app: FastifyInstance, { services, ctx, front }: FrontPluginOptions<OpretailServices>): Promise<void> {
  const wire = frontWire(app, ctx, { name: front.name, refuse: opretailRefusal });

  const send = (request: FastifyRequest, reply: FastifyReply, call: CallState, codename: Codename, result: string, data: unknown) => {
    let rendered: { contentType: string; payload: string };
    try {
      rendered = render(call.format, envelope(request.id, ctx.clock.now(), codename, result, data));
    } catch (err) {
      // Data that cannot be rendered is the gateway's failure, answered (and counted) once.
      request.log.error({ err }, 'opretail gateway: the reply cannot be rendered');
      codename = UNEXPECTED.codename;
      rendered = render(call.format, envelope(request.id, ctx.clock.now(), codename, UNEXPECTED.result, null));
    }
    call.outcome = String(CODES[codename]);
    return reply.code(200).header('content-type', rendered.contentType).send(rendered.payload);
  };

  wire.route({
    method: ['GET', 'POST', 'PUT', 'DELETE'],
    url: '/m.api',
    async handler(request, reply, wireCall) {
      const rawQuery = rawQueryOf(request.url);
      // Until the parameters are read, a query asking for XML gets XML.
      const call: CallState = Object.assign(wireCall, { format: peekFormat(rawQuery) });
      const environment = request.headers.environment;
      try {
        const data = await runGateway(
          services,
          ctx,
          { id: request.id, rawQuery, body: bodyOf(request), environment: typeof environment === 'string' ? environment : undefined },
          call,
        );
        return send(request, reply, call, 'SUCCESS', 'success', data);
      } catch (err) {
        const failure = failureOf(err);
        wireCall.result = resultOf(err, failure);
        if (!failure) request.log.error({ err }, 'opretail gateway: unexpected error');
        else if (err instanceof MethodFailed)
          request.log.warn({ method: call.endpoint, status: err.status, detail: err.detail }, `opretail method failed: ${err.message}`);
        const { codename, result } = failure ?? UNEXPECTED;
        return send(request, reply, call, codename, result, null);
      }
    },
  });
}
