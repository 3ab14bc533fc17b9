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
  'code',
  'js_code',
  'valid_code',
  'authCode',
  'password',
];

const paths = [
  'req.headers.authorization',
  'req.headers.cookie',
  ...REDACTED_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]),
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
