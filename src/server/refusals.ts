import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { fronts } from '../fronts/all.ts';
import type { Front, RenderedReply } from '../fronts/kit/front.ts';
import type { Kaifang } from './kaifang.ts';

/**
 * Refusals of the HTTP layer, answered in the shape of whatever the path names: a front's own
 * (through its `refuse`), the admin API's `{"error": …}`, or the platform's. Node refuses some
 * requests before Fastify routes them (broken framing → 400, a header or query string over the
 * limit → 431, a request not finished within KAIFANG_REQUEST_TIMEOUT_MS → 408); Fastify refuses
 * paths and methods nobody serves (404).
 */

const LAST_PATH = Symbol('kaifang.lastPath');
type TrackedSocket = Socket & { [LAST_PATH]?: string };

/** Remembers the URL of the request a socket is on, for a refusal that comes after its headers (a stalled body). */
export function trackPath(request: FastifyRequest): void {
  (request.raw.socket as TrackedSocket)[LAST_PATH] = request.url;
}

const owners = (fronts as readonly Front<string, unknown>[]).filter((f) => f.refuse && f.paths);

/** The front whose wire API the path is in, when one is. */
export function frontOwning(path: string): Front<string, unknown> | undefined {
  return owners.find((f) => f.paths!.some((p) => path === p || path.startsWith(p.endsWith('/') ? p : `${p}/`) || path.startsWith(`${p}?`)));
}

const splitUrl = (url: string) => {
  const q = url.indexOf('?');
  return q === -1 ? { path: url, query: '' } : { path: url.slice(0, q), query: url.slice(q + 1) };
};

const PLATFORM_KINDS: Record<number, string> = { 404: 'NotFound', 503: 'Unavailable' };

function platformReply(status: number, kind: string, message: string): RenderedReply {
  return {
    status,
    contentType: 'application/json; charset=utf-8',
    body: JSON.stringify({ error: { kind, message } }),
    outcome: String(status),
  };
}

/** The reply to a refusal of `url`, in the shape of whatever it names. */
function refusalFor(k: Kaifang, url: string, status: number, message: string, requestId: string): RenderedReply {
  const { path, query } = splitUrl(url);
  const front = frontOwning(path);
  if (front) return front.refuse!({ status, message, routed: false, path, query, requestId, now: k.core.clock.now() });
  return platformReply(status, PLATFORM_KINDS[status] ?? 'BadRequest', message);
}

/** Paths a stopping process still answers as usual: its own health (/readyz says 503 by itself) and metrics. */
const ANSWERED_WHILE_STOPPING = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * A process that is stopping (SIGTERM, for the drain time) answers every new request 503, in the
 * shape of whatever the path names, with `Connection: close`: a client on a kept-alive connection
 * hears a reply it can act on (another instance, a retry) and reconnects — through the load
 * balancer, which by then sees /readyz failing — instead of having its connection reset under it.
 * True when the request was refused.
 */
export function refuseWhileStopping(k: Kaifang, request: FastifyRequest, reply: FastifyReply): boolean {
  if (!k.lifecycle.draining) return false;
  const { path } = splitUrl(request.url);
  if (ANSWERED_WHILE_STOPPING.has(path)) {
    void reply.header('connection', 'close');
    return false;
  }
  const refused = refusalFor(k, request.url, 503, 'this server is stopping; send the request again (to another instance)', request.id);
  void reply
    .code(refused.status)
    .header('content-type', refused.contentType)
    .header('connection', 'close')
    .header('retry-after', '1')
    .send(refused.body);
  return true;
}

const CLIENT_ERRORS: Record<string, [number, (k: Kaifang) => string]> = {
  HPE_HEADER_OVERFLOW: [431, () => 'the request line and headers are larger than the server accepts (16 KB); send parameters in the body'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, (k) => `the request did not arrive in full within ${k.config.requestTimeoutMs} ms`],
};

/**
 * Fastify's `clientErrorHandler`: Node could not read a request (or it took too long). The reply
 * goes straight to the socket, which is then closed; the path comes from the bytes received, or
 * from the request the socket was on.
 */
export function clientErrorHandler(k: Kaifang) {
  return (error: Error, socket: Socket): void => {
    const { code, rawPacket } = error as { code?: string; rawPacket?: unknown };
    if (code === 'ECONNRESET' || socket.destroyed) return;
    const [status, say] = CLIENT_ERRORS[code ?? ''] ?? [400, () => `the request cannot be read as HTTP (${code ?? 'bad request'})`];
    const line = Buffer.isBuffer(rawPacket) ? /^[A-Z]+ (\S+)/.exec(rawPacket.subarray(0, 8192).toString('latin1'))?.[1] : undefined;
    const url = line ?? (socket as TrackedSocket)[LAST_PATH] ?? '/';
    const reply = refusalFor(k, url, status, say(k), randomUUID());
    if (socket.writable) {
      const body = Buffer.from(reply.body, 'utf8');
      socket.write(
        `HTTP/1.1 ${reply.status} ${STATUS_CODES[reply.status] ?? ''}\r\nContent-Type: ${reply.contentType}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
      );
      socket.write(body);
    }
    socket.destroy();
  };
}

/**
 * Paths nobody serves: under a front's path, the front's 404; under `/admin/api`, the admin
 * token is checked first (so an unknown route tells a stranger nothing), then a 404 in the admin
 * API's shape; elsewhere the platform's.
 */
export function installNotFound(
  app: FastifyInstance,
  k: Kaifang,
  adminAuthorized: (request: FastifyRequest, reply: FastifyReply) => boolean | Promise<boolean>,
): void {
  app.setNotFoundHandler(async (request, reply) => {
    const { path } = splitUrl(request.url);
    if (path === '/admin/api' || path.startsWith('/admin/api/')) {
      if (!(await adminAuthorized(request, reply))) return reply;
      return reply.code(404).send({ error: { kind: 'NotFound', message: `no admin API route ${request.method} ${path}` } });
    }
    const refused = refusalFor(k, request.url, 404, `no route ${request.method} ${path.slice(0, 200)}`, request.id);
    return reply.code(refused.status).header('content-type', refused.contentType).send(refused.body);
  });
}

/**
 * Errors outside every plugin's own handler — a body that cannot be read on a path nobody serves
 * (Fastify parses it before the 404) — answered in the shape of whatever the path names.
 */
export function installRootErrorHandler(app: FastifyInstance, k: Kaifang): void {
  app.setErrorHandler((err: { statusCode?: number; code?: string; message?: string }, request, reply) => {
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) request.log.error({ err }, 'unexpected error');
    const message =
      status === 413
        ? `the request body is larger than ${k.config.bodyLimit} bytes`
        : status === 500
          ? `unexpected error; request id ${request.id}`
          : `the request cannot be read: ${String(err.message).slice(0, 200)}`;
    const { path } = splitUrl(request.url);
    const refused =
      path === '/admin/api' || path.startsWith('/admin/api/')
        ? platformReply(status, status === 500 ? 'Internal' : 'BadRequest', message)
        : refusalFor(k, request.url, status, message, request.id);
    return reply.code(refused.status).header('content-type', refused.contentType).send(refused.body);
  });
}

/**
 * HTTP/1.1 requires a Host header. Node would refuse a request without one with an empty 400 of
 * its own; kaifang lets it through (`requireHostHeader: false`) and refuses it here, in the shape
 * of the path. True when the request was refused.
 */
export function refuseWithoutHost(k: Kaifang, request: FastifyRequest, reply: FastifyReply): boolean {
  if (request.headers.host !== undefined || request.raw.httpVersion !== '1.1') return false;
  const refused = refusalFor(k, request.url, 400, 'the request has no Host header (HTTP/1.1 requires one)', request.id);
  void reply.code(refused.status).header('content-type', refused.contentType).header('connection', 'close').send(refused.body);
  return true;
}

/**
 * Fastify's `frameworkErrors`: the router could not take the URL — a bad percent-escape (400) or a
 * path parameter over the router's length (414) — answered in the shape of whatever the path
 * names: the admin API's `{"error": {kind, param, message}}`, a front's own, or the platform's.
 */
export function frameworkErrors(k: Kaifang) {
  return (err: { code?: string; message?: string }, request: FastifyRequest, reply: FastifyReply): void => {
    const tooLong = err.code === 'FST_ERR_MAX_PARAM_LENGTH';
    const status = tooLong ? 414 : 400;
    const message = tooLong
      ? 'a path parameter is longer than the server accepts (200 characters)'
      : 'the path cannot be read: it has a bad percent-escape or is not UTF-8 once decoded';
    const { path } = splitUrl(request.url);
    if (path === '/admin/api' || path.startsWith('/admin/api/')) {
      void reply.code(status).send({ error: { kind: 'InvalidInput', param: 'path', message } });
      return;
    }
    const refused = refusalFor(k, request.url, status, message, request.id);
    void reply.code(refused.status).header('content-type', refused.contentType).send(refused.body);
  };
}
