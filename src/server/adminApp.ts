import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import { adminApi, adminAuthorization } from './admin.ts';
import { consoleShell } from './console/index.ts';
import { REQUEST_ID } from './app.ts';
import { healthRoutes } from './health.ts';
import type { Kaifang } from './kaifang.ts';
import { AccessLog, lazyRequestLogger } from './logger.ts';
import { openApiRoutes } from './openapi.ts';
import { installNotFound, installRootErrorHandler, refuseWhileStopping } from './refusals.ts';

/**
 * The admin listener (KAIFANG_ADMIN_LISTEN), as Kong and APISIX keep their admin port apart from
 * the proxy port: the admin API (same token, same routes), /metrics (behind KAIFANG_METRICS_TOKEN
 * when set), /healthz, /readyz and the OpenAPI document. The public port then serves the fronts,
 * the sandbox, health and the OpenAPI document only.
 */
export async function buildAdminApp(k: Kaifang): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: k.log as FastifyBaseLogger,
    bodyLimit: k.config.bodyLimit,
    logController: new AccessLog({ disableRequestLogging: !k.config.logRequests, logger: k.log }),
    childLoggerFactory: lazyRequestLogger,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    routerOptions: { maxParamLength: 200 },
    requestTimeout: k.config.requestTimeoutMs,
    return503OnClosing: false,
  });
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    if (refuseWhileStopping(k, request, reply)) return;
    done();
  });
  installNotFound(app, k, adminAuthorization(k));
  installRootErrorHandler(app, k);
  await app.register(healthRoutes, { k });
  const shell = consoleShell(k);
  await app.register(adminApi, { k, session: shell.session, prefix: '/admin/api' });
  await shell.registerConsole(app);
  await app.register(openApiRoutes, { k });
  return app;
}
