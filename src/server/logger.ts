import { LogController, type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify';
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
 * 32 KiB at a time, or every 250 ms when quiet, so under load ~140 requests share one write
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

/** The root logger's own fields (`,"pid":…,"hostname":…`), as pino writes them after `time`. */
function baseFieldsOf(logger: Logger): string {
  return (logger as unknown as Record<symbol, string>)[pino.symbols.chindingsSym] ?? '';
}

/** Printable ASCII but `"` and `\`: a string of these is its own JSON text, in quotes. */
const JSON_PLAIN = /^[ !#-[\]-~]*$/;

/**
 * `JSON.stringify(text)`, which for the access line's plain strings (a request id, a method, a
 * path, an address) is just the quotes: the test is ~4× cheaper than the call (~40 against ~140 ns).
 */
export function jsonString(text: string): string {
  return JSON_PLAIN.test(text) ? `"${text}"` : JSON.stringify(text);
}

/**
 * One access-log line per request, when it completes (Fastify's default writes two). Half the
 * log volume on the hot path, and the completed line carries everything the incoming one did.
 *
 * A request that completes without an error gets its line written here, as pino would write it
 * (the same fields in the same order: level, time, pid, hostname, reqId, req, res, responseTime,
 * msg), straight to the logger's destination: no child logger, serializers, redaction pass or
 * JSON.stringify of objects per request (~6 µs of a ~60-µs call, bench/RESULTS.md). Nothing in the
 * line can carry a secret: the URL goes without its query string, and the rest are numbers and
 * the request id (a plain token, `REQUEST_ID`, or a UUID). Errors go through pino as before.
 */
export class AccessLog extends LogController {
  private readonly direct: { write(line: string): unknown } | undefined;
  private readonly baseFields: string;

  constructor(options: { disableRequestLogging: boolean; logger?: Logger }) {
    super({ disableRequestLogging: options.disableRequestLogging });
    const stream = options.logger
      ? (options.logger as unknown as Record<symbol, { write(line: string): unknown }>)[pino.symbols.streamSym]
      : undefined;
    // kaifang's loggers (createLogger) have no mixin, message key or time format of their own, so
    // pino would write exactly this line; at a level above info it would write none.
    this.direct = options.logger?.isLevelEnabled('info') && stream ? stream : undefined;
    this.baseFields = options.logger ? baseFieldsOf(options.logger) : '';
  }

  override incomingRequest(): void {}

  /** Fastify's default logs the raw URL, query string and its signature included. */
  override routeNotFound(request: FastifyRequest): void {
    if (this.isLogDisabled(request)) return;
    const { method, url } = requestSerializer(request);
    request.log.info(`Route ${method}:${url} not found`);
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    if (!error && this.direct) {
      const q = request.url.indexOf('?');
      const url = q === -1 ? request.url : request.url.slice(0, q);
      this.direct.write(
        `{"level":30,"time":${Date.now()}${this.baseFields},"reqId":${jsonString(request.id)},"req":{"method":${jsonString(request.method)},"url":${jsonString(url)},"ip":${jsonString(request.ip)}},"res":{"statusCode":${reply.statusCode}},"responseTime":${reply.elapsedTime},"msg":"request completed"}\n`,
      );
      return;
    }
    const line = { req: request, res: reply, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}

const call = (logger: Logger, level: pino.Level, args: unknown[]) => (logger[level] as (...a: unknown[]) => void)(...args);

/**
 * Fastify's per-request logger (`request.log`), made only when the request logs something of its
 * own (a warning, an error): the access line is written without it (`AccessLog`), so most
 * requests never make a pino child (its bindings serialized, its object allocated) at all.
 */
class LazyRequestLogger {
  private made: Logger | undefined;
  constructor(
    private readonly parent: Logger,
    private readonly bindings: pino.Bindings,
    private readonly options: pino.ChildLoggerOptions,
  ) {}
  private get real(): Logger {
    this.made ??= this.parent.child(this.bindings, this.options);
    return this.made;
  }
  get level(): string {
    return this.made?.level ?? this.options.level ?? this.parent.level;
  }
  set level(level: string) {
    this.real.level = level;
  }
  isLevelEnabled(level: string): boolean {
    return this.made ? this.made.isLevelEnabled(level) : this.parent.isLevelEnabled(level);
  }
  // Methods on the prototype, not arrow fields: a request that never logs allocates no closures.
  fatal(...args: unknown[]): void {
    call(this.real, 'fatal', args);
  }
  error(...args: unknown[]): void {
    call(this.real, 'error', args);
  }
  warn(...args: unknown[]): void {
    call(this.real, 'warn', args);
  }
  info(...args: unknown[]): void {
    call(this.real, 'info', args);
  }
  debug(...args: unknown[]): void {
    call(this.real, 'debug', args);
  }
  trace(...args: unknown[]): void {
    call(this.real, 'trace', args);
  }
  silent(): void {}
  child(bindings: pino.Bindings, options?: pino.ChildLoggerOptions): Logger {
    return this.real.child(bindings, options);
  }
}

/** Fastify's `childLoggerFactory`: a request's logger, made on first use. */
export function lazyRequestLogger(logger: FastifyBaseLogger, bindings: pino.Bindings, options: pino.ChildLoggerOptions): FastifyBaseLogger {
  return new LazyRequestLogger(logger as Logger, bindings, options) as unknown as FastifyBaseLogger;
}
