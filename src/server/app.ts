import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { Kaifang } from './kaifang.ts';
import { AccessLog } from './logger.ts';
import { healthRoutes } from './health.ts';
import { adminApi } from './admin/index.ts';
import { openApiRoutes } from './openapi.ts';
import { fronts } from '../fronts/index.ts';
import { sandbox } from '../sandbox/index.ts';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Assembles the HTTP server: health, metrics, admin API, the sandbox, and the four fronts. */
export async function buildApp(k: Kaifang): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: k.log as FastifyBaseLogger,
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
  if (k.config.upstreamMode === 'sandbox') await app.register(sandbox, { k, prefix: '/sandbox' });
  for (const front of fronts) await app.register(front, { k });
  return app;
}
