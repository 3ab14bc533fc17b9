import { bodyOf, useFrontBodyParsers } from '../../server/bodies.js';
import { observeCall } from '../../server/observe.js';
import { CODES, failureOf } from './codes.js';
import { runGateway } from './gateway.js';
import { peekFormat } from './params.js';
import { envelope, render } from './reply.js';
const rawQueryOf = (url) => {
    const q = url.indexOf('?');
    return q === -1 ? '' : url.slice(q + 1);
};
/**
 * The 万店掌 (Opretail) gateway: `/m.api`, GET or POST. Every reply, errors included, is HTTP 200
 * with the gateway shape, because the vendor SDKs read `stat.code` from the body whatever the
 * status. The one exception is a body over the size limit: 413 (still in the gateway shape), since
 * the request was cut off unread and proxies and monitoring should see that it was refused.
 */
export async function opretailFront(app, { k }) {
    useFrontBodyParsers(app);
    const send = (request, reply, call, startedAt, codename, result, data, status = 200) => {
        observeCall(k, { front: 'opretail', endpoint: call.endpoint, credential: call.credential, outcome: String(CODES[codename]), startedAt, requestId: request.id });
        const { contentType, payload } = render(call.format, envelope(request.id, k.clock.now(), codename, result, data));
        return reply.code(status).header('content-type', contentType).send(payload);
    };
    // Fastify's own refusals (body too large, unreadable framing) happen before the route runs.
    app.setErrorHandler((err, request, reply) => {
        const call = { format: peekFormat(rawQueryOf(request.url)), credential: null, endpoint: '/m.api' };
        const startedAt = process.hrtime.bigint();
        if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
            return send(request, reply, call, startedAt, 'SIGN_WRONG', `the request body is larger than ${k.config.bodyLimit} bytes`, null, 413);
        }
        if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
            return send(request, reply, call, startedAt, 'SIGN_WRONG', `the request cannot be read: ${String(err.message).slice(0, 200)}`, null);
        }
        request.log.error({ err }, 'opretail gateway: unexpected error');
        return send(request, reply, call, startedAt, 'UNKNOWN_ERROR', failureOf(err).result, null);
    });
    const handler = async (request, reply) => {
        const startedAt = process.hrtime.bigint();
        const rawQuery = rawQueryOf(request.url);
        // Until the parameters are read, a query asking for XML gets XML.
        const call = { format: peekFormat(rawQuery), credential: null, endpoint: '/m.api' };
        const environment = request.headers.environment;
        try {
            const data = await runGateway(k, { id: request.id, rawQuery, body: bodyOf(request), environment: typeof environment === 'string' ? environment : undefined }, call);
            return send(request, reply, call, startedAt, 'SUCCESS', 'success', data);
        }
        catch (err) {
            const failure = failureOf(err);
            if (failure.unexpected)
                request.log.error({ err }, 'opretail gateway: unexpected error');
            return send(request, reply, call, startedAt, failure.codename, failure.result, null);
        }
    };
    app.get('/m.api', handler);
    app.post('/m.api', handler);
}
