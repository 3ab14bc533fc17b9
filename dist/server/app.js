import Fastify from 'fastify';
import { randomUUID } from 'node:crypto';
import { AccessLog } from './logger.js';
import { healthRoutes } from './health.js';
import { adminApi } from './admin/index.js';
import { openApiRoutes } from './openapi.js';
import { fronts } from '../fronts/index.js';
import { sandbox } from '../sandbox/index.js';
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;
/** Assembles the HTTP server: health, metrics, admin API, the sandbox, and the four fronts. */
export async function buildApp(k) {
    const app = Fastify({
        loggerInstance: k.log,
        bodyLimit: k.config.bodyLimit,
        logController: new AccessLog({ disableRequestLogging: !k.config.logRequests }),
        // A caller's X-Request-Id is kept when it is a plain token, so logs join across systems.
        genReqId: (req) => {
            const given = req.headers['x-request-id'];
            return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
        },
        routerOptions: { maxParamLength: 200 },
    });
    // Callback style: an async hook costs a promise on every request.
    app.addHook('onRequest', (request, reply, done) => {
        reply.header('x-request-id', request.id);
        done();
    });
    await app.register(healthRoutes, { k });
    await app.register(adminApi, { k, prefix: '/admin/api' });
    await app.register(openApiRoutes, { k });
    // The simulators exist only in sandbox mode: in live mode /sandbox/* is simply not found.
    if (k.config.upstreamMode === 'sandbox')
        await app.register(sandbox, { k, prefix: '/sandbox' });
    for (const front of fronts)
        await app.register(front, { k });
    return app;
}
