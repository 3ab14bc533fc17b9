import type { FastifyRequest } from 'fastify';
import { parseDateTime } from '../../kernel/cst.ts';
import { InvalidInput } from '../../kernel/errors.ts';
import { decodeForm, FormDecodeError, type ParsedBody } from '../kit/bodies.ts';
import { DEVICENO_PATTERN, OPENID_PATTERN } from './domain/users.ts';

export type Fields = Record<string, string>;

const quote = (name: string) => JSON.stringify(name.length > 40 ? name.slice(0, 40) + '…' : name);

/** The query string's parameters (strictly decoded); `access_token` among them. */
export function queryFields(url: string): Fields {
  const q = url.indexOf('?');
  const out: Fields = Object.create(null) as Fields;
  if (q === -1) return out;
  try {
    for (const [name, value] of decodeForm(url.slice(q + 1))) if (!(name in out)) out[name] = value;
  } catch (err) {
    if (err instanceof FormDecodeError) throw new InvalidInput(err.param, `the query string cannot be read: ${err.message}`);
    throw err;
  }
  return out;
}

/**
 * A POST's parameters: form fields or one flat JSON object (weiting.md: either may come), numbers
 * and booleans as their text, then the query string's for names the body does not give. A nested
 * value, a form field given twice with different values, or an unreadable body is refused naming
 * it. (A JSON object's repeated name keeps its last value, as JSON.parse and the seed's Node
 * server read it; a repeated query parameter its first.)
 */
export function postFields(body: ParsedBody, query: Fields): Fields {
  const out: Fields = Object.create(null) as Fields;
  switch (body.type) {
    case 'invalid':
      throw new InvalidInput(body.param ?? 'body', body.reason);
    case 'form':
      for (const [name, value] of body.pairs) {
        if (name in out && out[name] !== value)
          throw new InvalidInput(name, `parameter ${quote(name)} is given twice with different values`);
        out[name] = value;
      }
      break;
    case 'json': {
      const v = body.value;
      if (typeof v !== 'object' || v === null || Array.isArray(v))
        throw new InvalidInput('body', 'the JSON body must be one object of names to values');
      for (const [name, value] of Object.entries(v as Record<string, unknown>)) {
        if (value === null || value === undefined) continue;
        if (typeof value === 'object')
          throw new InvalidInput(name, `${quote(name)} must be text, not ${Array.isArray(value) ? 'an array' : 'an object'}`);
        out[name] = String(value);
      }
      break;
    }
    case 'none':
      break;
  }
  for (const [name, value] of Object.entries(query)) if (name !== 'access_token' && !(name in out)) out[name] = value;
  return out;
}

/** The non-empty value of `name`, or InvalidInput naming it. */
export function required(fields: Fields, name: string, max = 1024): string {
  const value = fields[name];
  if (value === undefined || value.trim() === '') throw new InvalidInput(name, `${name} is required`);
  if (value.length > max) throw new InvalidInput(name, `${name} is longer than ${max} characters`);
  return value;
}

/** The value of an optional `name` (undefined when absent or empty), bounded. */
export function optional(fields: Fields, name: string, max = 1024): string | undefined {
  const value = fields[name];
  if (value === undefined || value === '') return undefined;
  if (value.length > max) throw new InvalidInput(name, `${name} is longer than ${max} characters`);
  return value;
}

/** `openid`: required, 6–64 letters, digits, `_` or `-` (weiting.md); the one place it is checked. */
export function openidField(fields: Fields): string {
  const openid = required(fields, 'openid', 64);
  if (!OPENID_PATTERN.test(openid)) throw new InvalidInput('openid', 'openid must be 6–64 letters, digits, _ or -');
  return openid;
}

/** `deviceno`: required, 7–20 digits. */
export function devicenoField(fields: Fields): string {
  const deviceno = required(fields, 'deviceno', 20);
  if (!DEVICENO_PATTERN.test(deviceno)) throw new InvalidInput('deviceno', 'deviceno must be 7–20 digits');
  return deviceno;
}

/** An http(s) URL with a host, no whitespace or control characters, well-formed Unicode (it goes to WeChat as JSON). */
function isWebUrl(text: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this pattern is for
  if (!/^https?:\/\/[^\x00-\x20\x7f]+$/.test(text) || /\p{Cs}/u.test(text)) return false;
  try {
    return new URL(text).hostname !== '';
  } catch {
    return false;
  }
}

/** An optional `url`: an http(s) URL when given. */
export function webUrlField(fields: Fields, name: string): string | undefined {
  const url = optional(fields, name, 1024);
  if (url !== undefined && !isWebUrl(url)) throw new InvalidInput(name, `${name} must be an http(s) URL`);
  return url;
}

const DATE = /^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?$/;

/** An optional date, `yyyy-MM-dd` or `yyyy-MM-dd HH:mm:ss`, that exists on the calendar. */
export function dateField(fields: Fields, name: string): string | undefined {
  const value = optional(fields, name, 128);
  if (value !== undefined && (!DATE.test(value) || parseDateTime(value) === null))
    throw new InvalidInput(name, `${name} must be yyyy-MM-dd or yyyy-MM-dd HH:mm:ss`);
  return value;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this pattern is for
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A report's text field: no control characters (a NUL, a line break), which no channel or package name has. */
function plainText(name: string, value: string | undefined): string | undefined {
  if (value !== undefined && CONTROL.test(value)) throw new InvalidInput(name, `${name} must not contain control characters`);
  return value;
}

/**
 * weekBind / flowOrders fields: `openid`, `deviceno`, `channel` and `from` always (the seed's
 * example sends `"channel": "1", "from": "love flow"`; weiting.md marks them required), the
 * optional ones, and what each endpoint adds; text without control characters, at most 128.
 */
export function reportFields(fields: Fields, extra: readonly string[]): Record<string, string> & { openid: string; deviceno: string } {
  const out: Record<string, string> & { openid: string; deviceno: string } = {
    openid: openidField(fields),
    deviceno: devicenoField(fields),
  };
  for (const name of ['channel', 'from']) out[name] = plainText(name, required(fields, name, 128))!;
  for (const name of ['operators', 'qcellcore', ...extra]) {
    const value = plainText(name, optional(fields, name, 128));
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** An `Idempotency-Key` header, when sent: 1–128 printable ASCII. */
export function idempotencyKey(request: FastifyRequest): string | undefined {
  const key = request.headers['idempotency-key'];
  if (key === undefined) return undefined;
  if (typeof key !== 'string' || !/^[\x21-\x7e]{1,128}$/.test(key))
    throw new InvalidInput('Idempotency-Key', 'the Idempotency-Key header must be 1–128 printable ASCII characters');
  return key;
}
