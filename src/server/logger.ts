import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import pino, { type Logger } from 'pino';

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
];

const paths = [
  'req.headers.authorization',
  'req.headers.cookie',
  // Top level and one level down: each wildcard level costs on every log line, and kaifang's own
  // log calls never nest secrets deeper.
  ...REDACTED_FIELDS.flatMap((f) => [f, `*.${f}`]),
];

export function requestSerializer(req: { method: string; url: string; id?: unknown; ip?: string }) {
  const q = req.url.indexOf('?');
  return { method: req.method, url: q === -1 ? req.url : req.url.slice(0, q), ip: req.ip };
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths, censor: '[redacted]' },
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
