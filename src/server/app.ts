import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { sandbox } from '../sandbox/index.ts';
import { adminApi, adminAuthorization } from './admin.ts';
import { consoleShell } from './console/index.ts';
import { healthRoutes } from './health.ts';
import type { Kaifang } from './kaifang.ts';
import { AccessLog, lazyRequestLogger } from './logger.ts';
import { openApiRoutes } from './openapi.ts';
import {
  clientErrorHandler,
  frameworkErrors,
  installNotFound,
  installRootErrorHandler,
  refuseWhileStopping,
  refuseWithoutHost,
  trackPath,
} from './refusals.ts';

export const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** `/admin/api/…` on the public port when the admin API listens elsewhere: not found, saying nothing more. */
function adminElsewhere(_request: FastifyRequest, reply: FastifyReply): boolean {
  void reply.code(404).send({ error: { kind: 'NotFound', message: 'the admin API is not served on this port' } });
  return false;
}

/** Assembles the HTTP server: health, metrics, the admin API, the sandbox, and every front's wire routes. */
export async function buildApp(k: Kaifang): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: k.log as FastifyBaseLogger,
    bodyLimit: k.config.bodyLimit,
    logController: new AccessLog({ disableRequestLogging: !k.config.logRequests, logger: k.log }),
    childLoggerFactory: lazyRequestLogger,
    // A caller's X-Request-Id is kept when it is a plain token, so logs join across systems.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    routerOptions: { maxParamLength: 200 },
    // A request must arrive in full within the timeout (a stalled body holds no connection for
    // long); Node checks its connections every second or so and answers 408 in the front's shape.
    requestTimeout: k.config.requestTimeoutMs,
    http: {
      headersTimeout: Math.min(k.config.requestTimeoutMs, 60_000),
      connectionsCheckingInterval: Math.min(1000, k.config.requestTimeoutMs),
      // Refused by refuseWithoutHost instead, in the shape of the path.
      requireHostHeader: false,
    },
    clientErrorHandler: clientErrorHandler(k),
    // A URL the router cannot take answers in the path's shape, not Fastify's.
    frameworkErrors: frameworkErrors(k),
    // A stopping server refuses in the front's shape (refuseWhileStopping), also after the port closed.
    return503OnClosing: false,
  });
  // Callback style: an async hook costs a promise on every request.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    trackPath(request);
    if (refuseWithoutHost(k, request, reply) || refuseWhileStopping(k, request, reply)) return;
    done();
  });
  // With KAIFANG_ADMIN_LISTEN the admin API and /metrics have a listener of their own (adminApp.ts)
  // and this port, which may face partners, serves neither.
  const adminHere = k.config.adminListen === undefined;
  installNotFound(app, k, adminHere ? adminAuthorization(k) : adminElsewhere);
  installRootErrorHandler(app, k);

  await app.register(healthRoutes, { k, metrics: adminHere });
  // The console is an operator's page: it goes where the admin API is (adminApp.ts when it has a
  // listener of its own); the debugger is for partners and stays here.
  const shell = consoleShell(k);
  if (adminHere) {
    await app.register(adminApi, { k, session: shell.session, prefix: '/admin/api' });
    await shell.registerConsole(app);
  }
  await shell.registerDebugger(app);
  await app.register(openApiRoutes, { k });
  // The simulators exist only in sandbox mode: in live mode /sandbox/* is simply not found.
  if (k.config.upstreamMode === 'sandbox') {
    const c = k.config;
    await app.register(sandbox, {
      deps: {
        db: k.core.db,
        clock: k.core.clock,
        state: k.core.state,
        upstreamTimeoutMs: c.upstreamTimeoutMs,
        sms: c,
        outbox: k.outbox,
        templateInbox: k.templateInbox,
        journal: shell.journal,
      },
      prefix: '/sandbox',
    });
  }
  for (const front of k.bound) {
    if (front.routes) await app.register(front.routes, { ctx: k.frontContext });
  }
  return app;
}
