import type { FastifyInstance } from 'fastify';

/**
 * What a front's route receives as `request.body`. The parsers never throw: a body that cannot be
 * read becomes `{ type: 'invalid' }` with a reason, so each front answers in its own error shape
 * instead of Fastify's.
 */
export type ParsedBody =
  | { type: 'none' }
  | { type: 'form'; pairs: [string, string][] }
  /** `text`: the body as received (a front may look at what JSON.parse hides, e.g. repeated names). */
  | { type: 'json'; value: unknown; text: string }
  | { type: 'invalid'; reason: string; param?: string };

export class FormDecodeError extends Error {
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(message);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * `raw` percent-decoded; `name` is the parameter's (decoded) name when decoding its value, or
 * undefined when decoding a name. The refusal's words are made only for a refusal.
 */
function decodeComponent(raw: string, name: string | undefined): string {
  const s = raw.includes('+') ? raw.replace(/\+/g, ' ') : raw;
  if (!s.includes('%')) return s;
  // decodeURIComponent is as strict (bad escapes and invalid UTF-8 throw) and much faster; the
  // byte-by-byte decoding below runs only to say what is wrong.
  try {
    return decodeURIComponent(s);
  } catch {
    /* explained below */
  }
  const what = name === undefined ? 'a parameter name' : `the value of ${name}`;
  const param = name ?? raw.slice(0, 40);
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new FormDecodeError(param, `${what} has a bad percent-escape "%${hex}"`);
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (c < 0x80) {
      bytes.push(c);
    } else {
      bytes.push(...Buffer.from(s[i]!, 'utf8'));
    }
  }
  try {
    return utf8.decode(Uint8Array.from(bytes));
  } catch {
    throw new FormDecodeError(param, `${what} is not valid UTF-8 once percent-decoded`);
  }
}

/**
 * Decodes `application/x-www-form-urlencoded` text (a body or a query string) strictly: bad
 * percent-escapes and bytes that are not UTF-8 are errors naming the parameter, where lenient
 * decoders would silently substitute U+FFFD and let a signature check fail for no visible reason.
 * Order and repeats are kept; the caller decides what a repeated name means.
 */
export function decodeForm(text: string): [string, string][] {
  const pairs: [string, string][] = [];
  // Parts are cut out of `text` by position, not split first: no array of parts and no copy of
  // each. `eq` is the first "=" at or after the part's start (-1: none left), so the text is
  // scanned once however many parts lack one.
  let eq = text.indexOf('=');
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('&', start);
    if (end === -1) end = text.length;
    if (end > start) {
      if (eq !== -1 && eq < start) eq = text.indexOf('=', start);
      const named = eq !== -1 && eq < end;
      const name = decodeComponent(text.slice(start, named ? eq : end), undefined);
      pairs.push([name, named ? decodeComponent(text.slice(eq + 1, end), name) : '']);
    }
    start = end + 1;
  }
  return pairs;
}

function decodeUtf8(body: Buffer): string | undefined {
  try {
    return utf8.decode(body);
  } catch {
    return undefined;
  }
}

/**
 * Installs the front body parsers in an encapsulated Fastify context: form, JSON, and a catch-all
 * that reports an unsupported content type. Body size is limited by Fastify's `bodyLimit`.
 */
export function useFrontBodyParsers(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (_req, body, done) => {
    const text = decodeUtf8(body as Buffer);
    if (text === undefined) return done(null, { type: 'invalid', reason: 'the form body is not valid UTF-8' });
    try {
      done(null, { type: 'form', pairs: decodeForm(text) } satisfies ParsedBody);
    } catch (err) {
      const e = err as FormDecodeError;
      done(null, { type: 'invalid', reason: e.message, param: e.param } satisfies ParsedBody);
    }
  });
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => {
    const buf = body as Buffer;
    if (buf.length === 0) return done(null, { type: 'none' } satisfies ParsedBody);
    const decoded = decodeUtf8(buf);
    if (decoded === undefined) return done(null, { type: 'invalid', reason: 'the JSON body is not valid UTF-8' });
    // Some clients (Windows tools, .NET) start their UTF-8 with a byte-order mark; JSON has no use for it.
    const text = decoded.charCodeAt(0) === 0xfeff ? decoded.slice(1) : decoded;
    try {
      done(null, { type: 'json', value: JSON.parse(text) as unknown, text } satisfies ParsedBody);
    } catch (err) {
      done(null, { type: 'invalid', reason: `the JSON body cannot be parsed: ${(err as Error).message}` } satisfies ParsedBody);
    }
  });
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (req, body, done) => {
    const buf = body as Buffer;
    if (buf.length === 0) return done(null, { type: 'none' } satisfies ParsedBody);
    const type = String(req.headers['content-type'] ?? '').slice(0, 100);
    done(null, {
      type: 'invalid',
      reason: `content type "${type}" is not supported; send application/x-www-form-urlencoded or application/json`,
    } satisfies ParsedBody);
  });
}

/** The body as a route sees it (no body at all → `none`). */
export function bodyOf(request: { body: unknown }): ParsedBody {
  return (request.body as ParsedBody | undefined) ?? { type: 'none' };
}
