import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import pino, { type Logger } from 'pino';
import { stdoutDestination } from './logDestination.ts';

/**
 * Field names that may carry a secret anywhere in a logged object. pino's redaction replaces them
 * with "[redacted]"; URLs are logged without their query string (see `requestSerializer`) because
 * a GET request carries its signature there.
 */
export const REDACTED_FIELDS = [
  'authorization',
  'applicationSecret',
  'secret',
  'key',
  'appSecret',
  'agentKey',
  'session_key',
  'sessionKey',
  'sign',
  '_sig',
  'token',
  'access_token',
  'accessToken',
  'adminToken',
  'masterKey',
  // Codes go by their specific names: a bare `code` is an error's code (ECONNREFUSED) or a reply
  // status far more often than a secret, and operators need those in logs.
  'js_code',
  'smsCode',
  'oauthCode',
  'valid_code',
  'authCode',
  'password',
  // 微厅 app-entry tickets stand for a logged-in mobile number.
  'ticket',
];

const REDACTED = new Set(REDACTED_FIELDS);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Replaces secret-bearing fields, at the top level and one level down in plain objects, with
 * "[redacted]", copying only what it changes. Runs on every log line, so it is one pass over the
 * line's own keys rather than pino's path matcher (which costs per configured path, ~20 µs a
 * line here). Requests and replies are not plain objects: their serializers pick safe fields.
 */
export function redactSecrets(obj: Record<string, unknown>, depth = 1): Record<string, unknown> {
  let out = obj;
  for (const key in obj) {
    const value = obj[key];
    let replaced: unknown = value;
    if (REDACTED.has(key)) replaced = '[redacted]';
    else if (depth > 0 && isPlainObject(value)) replaced = redactSecrets(value, depth - 1);
    if (replaced !== value) {
      if (out === obj) out = { ...obj };
      out[key] = replaced;
    }
  }
  return out;
}

export function requestSerializer(req: { method: string; url: string; id?: unknown; ip?: string }) {
  const q = req.url.indexOf('?');
  return { method: req.method, url: q === -1 ? req.url : req.url.slice(0, q), ip: req.ip };
}

/**
 * Logs to `destination`, or to stdout asynchronously and buffered (`LogDestination`): lines go out
 * 4 KiB at a time, or every 250 ms when quiet, so under load a dozen requests share one write
 * instead of costing a blocking write each; what is left is written at exit, and a reader that
 * went away stops the logging, never the process.
 */
export function createLogger(level: string, destination: pino.DestinationStream = stdoutDestination()): Logger {
  return pino(
    {
      level,
      formatters: { log: (obj) => redactSecrets(obj) },
      serializers: { req: requestSerializer },
    },
    destination,
  );
}

/**
 * One access-log line per request, when it completes (Fastify's default writes two). Half the
 * log volume on the hot path, and the completed line carries everything the incoming one did.
 */
export class AccessLog extends LogController {
  override incomingRequest(): void {}

  /** Fastify's default logs the raw URL, query string and its signature included. */
  override routeNotFound(request: FastifyRequest): void {
    if (this.isLogDisabled(request)) return;
    const { method, url } = requestSerializer(request);
    request.log.info(`Route ${method}:${url} not found`);
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    const line = { req: request, res: reply, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}
