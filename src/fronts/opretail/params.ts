import { decodeForm, FormDecodeError, type ParsedBody } from '../kit/bodies.ts';
import { GatewayError } from './codes.ts';

/**
 * A request's parameters, merged from the query string and the body. `text` is what is signed;
 * `values` is what a registered method receives (JSON values keep their type there).
 */
export interface ParamSet {
  text: Record<string, string>;
  values: Record<string, unknown>;
}

export interface Params extends ParamSet {
  /**
   * The same parameters with the JSON body's strings URL-decoded, when that changes any of them:
   * the Java SDK's JSON mode sends its values still URL-encoded and signs the decoded ones.
   */
  decoded: ParamSet | null;
}

/** Deep enough for any real business payload; bounds the recursion of JSON.stringify. */
const MAX_JSON_DEPTH = 32;

export const quote = (name: string): string => JSON.stringify(name.length > 64 ? name.slice(0, 64) + '…' : name);

const unreadable = (message: string) => new GatewayError('SIGN_WRONG', message);

/** Null-prototype maps: a parameter named `__proto__` is just a parameter. */
const map = <V>(): Record<string, V> => Object.create(null) as Record<string, V>;

/** The spec's JSON-to-text rule: numbers in decimal, booleans as words, null empty, nesting as compact JSON. */
function jsonText(value: unknown): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function tooDeep(root: unknown): boolean {
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (depth > MAX_JSON_DEPTH) return true;
    if (value !== null && typeof value === 'object') for (const child of Object.values(value)) stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * The parameters gathered so far. Without a JSON body every value is its text, so `values` is
 * `text` itself (one map a call instead of two); `fromQuery` names what the query string gave
 * (only kept when it gave anything: most calls send everything in the body).
 */
interface Collected extends ParamSet {
  fromQuery: Set<string> | undefined;
}

/**
 * Repeating a name with the same value is harmless (some clients send `_format` twice); with a
 * different value nobody can tell which one the caller signed, so it is refused like the
 * query/body conflict the spec names. (JSON.parse keeps the last of duplicate JSON keys; that
 * cannot be seen here.)
 */
function add(into: Collected, name: string, text: string, value: unknown, where: 'query string' | 'body'): void {
  const prior = into.text[name];
  if (prior === undefined) {
    into.text[name] = text;
    if (into.values !== into.text) into.values[name] = value;
    if (where === 'query string') into.fromQuery!.add(name);
  } else if (prior !== text) {
    const first = into.fromQuery?.has(name) ? 'query string' : 'body';
    const how = first === where ? `twice in the ${where}` : `in both the ${first} and the ${where}`;
    throw unreadable(`parameter ${quote(name)} is given ${how} with different values; send it once`);
  }
}

function jsonObject(body: { value: unknown }): Record<string, unknown> {
  const v = body.value;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw unreadable('a JSON body must be one flat object of parameter names to values');
  }
  if (tooDeep(v)) throw unreadable(`the JSON body is nested deeper than ${MAX_JSON_DEPTH} levels`);
  return v as Record<string, unknown>;
}

function queryPairs(rawQuery: string): [string, string][] {
  try {
    return decodeForm(rawQuery);
  } catch (err) {
    if (err instanceof FormDecodeError) throw unreadable(`the query string cannot be read: ${err.message}`);
    throw err;
  }
}

/** Looks URL-encoded and decodes cleanly as a form value. */
function formDecoded(text: string): string | undefined {
  if (!/[%+]/.test(text) || /[&=]/.test(text)) return undefined;
  try {
    return decodeForm(`v=${text}`)[0]?.[1];
  } catch {
    return undefined;
  }
}

/** The query string's parameters, then the body's, merged (on every call: no intermediate objects). */
export function collectParams(rawQuery: string, body: ParsedBody): Params {
  if (body.type === 'invalid') throw unreadable(`the request body cannot be read: ${body.reason}`);
  const json = body.type === 'json' ? jsonObject(body) : undefined;
  const text = map<string>();
  const query = rawQuery === '' ? [] : queryPairs(rawQuery);
  const into: Collected = { text, values: json ? map<unknown>() : text, fromQuery: query.length > 0 ? new Set() : undefined };
  for (const [name, text] of query) add(into, name, text, text, 'query string');
  if (body.type === 'form') for (const [name, text] of body.pairs) add(into, name, text, text, 'body');
  if (json) for (const name of Object.keys(json)) add(into, name, jsonText(json[name]), json[name], 'body');
  const { values } = into;

  let decoded: Params['decoded'] = null;
  if (json) {
    for (const name of Object.keys(json)) {
      const value = json[name];
      if (typeof value !== 'string' || into.fromQuery?.has(name)) continue;
      const plain = formDecoded(value);
      if (plain === undefined || plain === value) continue;
      decoded ??= { text: Object.assign(map<string>(), text), values: Object.assign(map<unknown>(), values) };
      decoded.text[name] = plain;
      decoded.values[name] = plain;
    }
  }
  return { text, values, decoded };
}

/** `_format` read leniently from a raw query string, so even an unreadable request is answered in XML when asked. */
export function peekFormat(rawQuery: string): 'json' | 'xml' {
  return /(?:^|&)_format=xml(?:&|$)/i.test(rawQuery) ? 'xml' : 'json';
}
