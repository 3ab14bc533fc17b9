import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { DomainError, UpstreamUnavailable } from '../kernel/errors.ts';

/**
 * The one HTTP helper every upstream call goes through (adapters and the gateway's registered
 * methods alike), so that timeouts, size caps, metrics, retries and error wording are the same for
 * all of them:
 *
 * - one deadline (`timeoutMs`) for the whole call, body included, retry included;
 * - an answer larger than `maxBytes` is cut off while it streams in, never buffered whole;
 * - calls counted in `upstreamCalls{upstream,outcome}` (ok | rejected | unavailable) and timed;
 * - one retry, only for read-only calls, and only when the connection could not be made at all
 *   (refused, DNS failure): then nothing reached the upstream, so a retry cannot repeat an effect;
 * - transport failures, 5xx, oversize and unreadable bodies become `UpstreamUnavailable` with a
 *   `reason` a front may show and a message for the log that names the upstream host and path but
 *   never the query string (WeChat puts `secret` there).
 */

/** The counters the helper feeds; the server's Prometheus metrics provide them. */
export interface UpstreamMetrics {
  upstreamCalls: { inc(labels: { upstream: string; outcome: string }): void };
  upstreamLatency: { observe(labels: { upstream: string }, seconds: number): void };
  /** Notes one finished call (the console shows the calls made while an API call was served). */
  noteUpstream?(call: { upstream: string; outcome: string; startedAt: number; ms: number }): void;
}

export interface HttpOptions {
  timeoutMs: number;
  /** Largest answer body read, bytes (default 1 MiB). */
  maxBytes?: number;
  metrics?: UpstreamMetrics;
  /** Injected in tests; the global fetch otherwise. */
  fetch?: typeof fetch;
}

export const DEFAULT_MAX_ANSWER_BYTES = 1024 * 1024;

export interface UpstreamRequest {
  /** Metric label and error prefix: 'wechat', 'aliyun-sms', … */
  upstream: string;
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** True only for calls with no effect upstream; allows one retry on a connection failure. */
  readOnly?: boolean;
  /** This call's own deadline, instead of the options' (a registered method's timeout). */
  timeoutMs?: number;
}

export interface UpstreamResponse {
  status: number;
  headers: Headers;
  text: string;
}

/** Connection-phase errors: the request never reached the server. */
const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/** `scheme://host/path` of a URL: query strings may hold secrets, so they never reach a message. */
export function safeUrl(raw: string): string {
  try {
    const u = new URL(raw);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(unparseable URL)';
  }
}

function errorCode(err: unknown): string | undefined {
  const cause = (err as { cause?: { code?: unknown } } | undefined)?.cause;
  const code = cause?.code ?? (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

function isTimeout(err: unknown): boolean {
  const name = (err as { name?: unknown } | undefined)?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}

class TooLarge extends Error {}

/** Reads a body as UTF-8 text, giving up as soon as it passes `maxBytes`. */
async function readCapped(res: Response, maxBytes: number): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new TooLarge();
  }
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new TooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

/**
 * Sends the request and hands the answered response (any status below 500, body read) to
 * `handle`, which returns the result or throws `UpstreamRejected`/`UpstreamUnavailable`.
 */
export async function callUpstream<T>(
  options: HttpOptions,
  req: UpstreamRequest,
  handle: (res: UpstreamResponse) => T | Promise<T>,
): Promise<T> {
  const doFetch = options.fetch ?? fetch;
  const where = `${req.method ?? 'GET'} ${safeUrl(req.url)}`;
  const timeoutMs = req.timeoutMs ?? options.timeoutMs;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_ANSWER_BYTES;
  const started = performance.now();
  const signal = AbortSignal.timeout(timeoutMs);
  let outcome: 'ok' | 'rejected' | 'unavailable' = 'unavailable';
  try {
    let res: UpstreamResponse | undefined;
    for (let attempt = 1; res === undefined; attempt++) {
      try {
        const r = await doFetch(req.url, {
          method: req.method ?? 'GET',
          ...(req.headers ? { headers: req.headers } : {}),
          ...(req.body !== undefined ? { body: req.body } : {}),
          signal,
          redirect: 'error',
        });
        res = { status: r.status, headers: r.headers, text: await readCapped(r, maxBytes) };
      } catch (err) {
        if (err instanceof TooLarge) {
          throw new UpstreamUnavailable(
            req.upstream,
            `${req.upstream}: the answer of ${where} is larger than ${maxBytes} bytes`,
            undefined,
            'too-large',
          );
        }
        if (isTimeout(err) || signal.aborted) {
          throw new UpstreamUnavailable(req.upstream, `${req.upstream}: no answer within ${timeoutMs} ms (${where})`, undefined, 'timeout');
        }
        const code = errorCode(err);
        if (req.readOnly && attempt === 1 && code !== undefined && CONNECT_ERRORS.has(code)) continue;
        throw new UpstreamUnavailable(
          req.upstream,
          `${req.upstream}: cannot reach ${where}: ${code ?? 'connection failed'}`,
          undefined,
          'unreachable',
        );
      }
    }
    if (res.status >= 500) {
      throw new UpstreamUnavailable(req.upstream, `${req.upstream}: HTTP ${res.status} from ${where}`, res.status, 'http-status');
    }
    const result = await handle(res);
    outcome = 'ok';
    return result;
  } catch (err) {
    outcome = err instanceof DomainError && err.kind === 'UpstreamRejected' ? 'rejected' : 'unavailable';
    if (err instanceof DomainError) throw err;
    // A bug in a handler must not leak a raw error (it could quote a body); say what failed.
    throw new UpstreamUnavailable(req.upstream, `${req.upstream}: could not handle the answer of ${where}`);
  } finally {
    options.metrics?.upstreamCalls.inc({ upstream: req.upstream, outcome });
    const ms = performance.now() - started;
    options.metrics?.upstreamLatency.observe({ upstream: req.upstream }, ms / 1000);
    options.metrics?.noteUpstream?.({ upstream: req.upstream, outcome, startedAt: Date.now() - ms, ms });
  }
}

/** Parses a JSON object body; anything else is an unusable answer. */
export function jsonObject(res: UpstreamResponse, upstream: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(res.text);
  } catch {
    throw new UpstreamUnavailable(upstream, `${upstream}: the answer (HTTP ${res.status}) is not JSON`, res.status);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UpstreamUnavailable(upstream, `${upstream}: the answer (HTTP ${res.status}) is not a JSON object`, res.status);
  }
  return value as Record<string, unknown>;
}

// WeChat Pay's XML: one flat <xml> element of text fields, often in CDATA. Values stay text (no
// number parsing: "0001" must stay "0001"), and no entity expansion beyond XML's own five.
const xmlParser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: false,
  ignoreDeclaration: true,
});
const xmlBuilder = new XMLBuilder({ ignoreAttributes: true, format: false, cdataPropName: '__cdata' });

/**
 * Parses a flat `<xml><name>value</name>…</xml>` body into text fields; anything else (not XML,
 * another root, nested elements) is an unusable answer.
 */
export function xmlFields(res: UpstreamResponse, upstream: string, root = 'xml'): Record<string, string> {
  let doc: unknown;
  try {
    doc = xmlParser.parse(res.text, true);
  } catch {
    throw new UpstreamUnavailable(upstream, `${upstream}: the answer (HTTP ${res.status}) is not XML`, res.status);
  }
  const top = (doc as Record<string, unknown> | undefined)?.[root];
  if (top === '') return {};
  if (typeof top !== 'object' || top === null || Array.isArray(top)) {
    throw new UpstreamUnavailable(upstream, `${upstream}: the answer (HTTP ${res.status}) has no <${root}> element`, res.status);
  }
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(top as Record<string, unknown>)) {
    if (typeof value !== 'string') {
      throw new UpstreamUnavailable(upstream, `${upstream}: the answer's <${name}> is not a text field`, res.status);
    }
    out[name] = value;
  }
  return out;
}

/** `<xml><name><![CDATA[value]]></name>…</xml>` of text fields, as WeChat Pay takes them. */
export function toXml(fields: Record<string, string>, root = 'xml'): string {
  const body: Record<string, { __cdata: string }> = {};
  for (const [name, value] of Object.entries(fields)) body[name] = { __cdata: value };
  return xmlBuilder.build({ [root]: body }) as string;
}

/** A short, single-line excerpt of an upstream body for an error message. */
export function excerpt(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
