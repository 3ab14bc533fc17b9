import { isIP } from 'node:net';
import { InvalidInput } from '../../kernel/errors.ts';
import { APP_ID_PATTERN } from './domain/apps.ts';
import { WAY_CODES } from './domain/channels.ts';
import { MCH_NO_PATTERN } from './domain/organization.ts';
import type { SignedParams, SignedValue } from '../../kernel/signing.ts';
import type { Auth2OpenIdFields, WayCode } from './wire.ts';
import type { ParsedBody } from '../kit/bodies.ts';

/** An `auth2OpenId` request whose every field passed the rules of jucai.md (the wire's fields, checked). */
export interface Auth2OpenIdRequest extends Required<Auth2OpenIdFields> {
  sign: string;
  /**
   * Every top-level field as received (extras included), what the signature covers: a number as
   * the JSON text it arrived as (`1.50` stays `1.50`, as the Jeepay family's fastjson keeps it).
   */
  signed: SignedParams;
}

const STRING_FIELDS = ['version', 'sign', 'termId', 'mchNo', 'appId', 'mchOrderNo', 'wayCode', 'authCode', 'clientIp', 'subAppid'] as const;
const REQUIRED = ['termId', 'mchNo', 'appId', 'mchOrderNo', 'wayCode', 'authCode', 'clientIp'] as const;
const VERSIONS = ['1.0'];

/** What a body that is not JSON is told. */
export const SEND_JSON = 'the body must be one JSON object: send it with Content-Type: application/json';

const bad = (param: string, message: string) => new InvalidInput(param, message);
const quote = (name: string) => JSON.stringify(name.length > 40 ? name.slice(0, 40) + '…' : name);

/** A top-level member of a JSON object: its name, and for a number, `true`, `false` or `null` the text written. */
interface Member {
  name: string;
  literal: string | undefined;
}

const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r';

/**
 * The top-level members of a JSON text that parsed as an object, in the order written. JSON.parse
 * keeps the last of two equal names silently (a signed request must not be ambiguous), and turns
 * `1.50` into 1.5 (the signature covers the text): both are read here from the text itself.
 */
function topLevelMembers(text: string): Member[] {
  const members: Member[] = [];
  let depth = 0;
  let expectName = false;
  let expectValue = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (isSpace(c)) continue;
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (depth === 1 && expectName) {
        // A name without escapes is its text; only one with a backslash needs JSON's reading.
        const raw = text.slice(i + 1, j);
        members.push({ name: raw.includes('\\') ? (JSON.parse(text.slice(i, j + 1)) as string) : raw, literal: undefined });
      }
      expectName = false;
      expectValue = false;
      i = j;
    } else if (c === '{' || c === '[') {
      depth++;
      expectName = depth === 1 && c === '{';
      expectValue = false;
    } else if (c === '}' || c === ']') {
      depth--;
    } else if (depth === 1 && c === ',') {
      expectName = true;
    } else if (depth === 1 && c === ':') {
      expectValue = true;
    } else if (depth === 1 && expectValue) {
      let j = i;
      while (j < text.length && !isSpace(text[j]!) && text[j] !== ',' && text[j] !== '}') j++;
      const member = members.at(-1);
      if (member) member.literal = text.slice(i, j);
      expectValue = false;
      i = j - 1;
    }
  }
  return members;
}

/**
 * Reads and checks an `auth2OpenId` body (jucai.md, "Request"): one flat JSON object; the seed's
 * fields are JSON strings; extra fields (a Jeepay-family client adds `reqTime`, `signType`) may
 * be text, numbers or booleans and are signed too; nothing nested. Each refusal names the field.
 * `sign` is checked for presence only: whether it is right needs the app.
 */
export function readRequest(body: ParsedBody, contentType?: string): Omit<Auth2OpenIdRequest, 'sign'> & { sign: string | undefined } {
  if (body.type === 'none') throw bad('body', 'the request has no body: send a JSON object (Content-Type: application/json)');
  if (body.type === 'invalid') {
    // The kit's parsers name every type they read; this API reads JSON only.
    const essence = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
    if (essence !== 'application/json') throw bad('body', `${SEND_JSON} (not ${quote(contentType ?? '')})`);
    throw bad('body', body.reason);
  }
  if (body.type === 'form') throw bad('body', SEND_JSON);
  const v = body.value;
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw bad('body', 'the JSON body must be one object of field names to values');
  const fields = v as Record<string, unknown>;
  const literals = new Map<string, string | undefined>();
  for (const { name, literal } of topLevelMembers(body.text)) {
    if (literals.has(name)) throw bad(name, `field ${quote(name)} is given twice`);
    literals.set(name, literal);
  }
  // No prototype: a field may be called __proto__.
  const signed = Object.create(null) as Record<string, SignedValue>;
  for (const [name, value] of Object.entries(fields)) {
    if (value !== null && typeof value === 'object') throw bad(name, `field ${quote(name)} must not be an object or an array`);
    if (typeof value === 'number' && !Number.isFinite(value)) throw bad(name, `field ${quote(name)} is not a usable number`);
    signed[name] = typeof value === 'number' ? (literals.get(name) ?? String(value)) : (value as SignedValue);
  }
  for (const name of STRING_FIELDS) {
    const value = fields[name];
    if (value !== undefined && value !== null && typeof value !== 'string')
      throw bad(name, `${name} must be a JSON string, got ${typeof value === 'number' ? 'a number' : typeof value}`);
  }
  const text = (name: (typeof STRING_FIELDS)[number]) => (typeof fields[name] === 'string' ? (fields[name] as string) : '');
  for (const name of REQUIRED) if (text(name) === '') throw bad(name, `${name} is required`);

  const version = text('version') || '1.0';
  if (!VERSIONS.includes(version)) throw bad('version', `version ${quote(version)} is not served: send 1.0 (or leave it out)`);
  const termId = text('termId');
  if (termId.length > 32 || !/^[\x21-\x7e]+$/.test(termId))
    throw bad('termId', 'termId must be 1–32 printable ASCII characters (88888888 when there is no real terminal)');
  const mchNo = text('mchNo');
  if (!MCH_NO_PATTERN.test(mchNo)) throw bad('mchNo', 'mchNo must be the merchant number issued by the platform, e.g. MCH_I293975931');
  const appId = text('appId');
  if (!APP_ID_PATTERN.test(appId)) throw bad('appId', "appId must be the merchant's app id: 1–32 letters, digits or _");
  const mchOrderNo = text('mchOrderNo');
  if (!/^[A-Za-z0-9_]{5,30}$/.test(mchOrderNo)) throw bad('mchOrderNo', 'mchOrderNo must be 5–30 letters, digits or _');
  const wayCode = text('wayCode');
  if (!(WAY_CODES as readonly string[]).includes(wayCode)) throw bad('wayCode', `wayCode must be ${WAY_CODES.join(' or ')}`);
  const authCode = text('authCode');
  if (wayCode === 'WECHAT' && !/^1[0-5]\d{16}$/.test(authCode))
    throw bad('authCode', "authCode (WECHAT) must be the payer's payment code: 18 digits starting 10–15");
  if (wayCode === 'UNIONPAY' && !/^[\x21-\x7e]{1,128}$/.test(authCode))
    throw bad('authCode', 'authCode (UNIONPAY) must be the user-auth code: 1–128 printable ASCII characters');
  const clientIp = text('clientIp');
  if (isIP(clientIp) === 0) throw bad('clientIp', 'clientIp must be an IPv4 or IPv6 address, e.g. 127.0.0.1');
  const subAppid = text('subAppid');
  if (subAppid !== '' && wayCode === 'WECHAT' && !/^wx[0-9A-Za-z]{16}$/.test(subAppid))
    throw bad('subAppid', 'subAppid (WECHAT) must be the sub-merchant\'s official-account appid: "wx" and 16 letters or digits');
  if (subAppid !== '' && wayCode === 'UNIONPAY' && !/^[\x20-\x7e]{1,64}$/.test(subAppid))
    throw bad('subAppid', 'subAppid (UNIONPAY) must be empty or the payer app\'s UnionPay identifier, e.g. "UnionPay/1.0 CloudPay"');
  const signType = fields.signType;
  if (signType !== undefined && signType !== null && signType !== '' && signType !== 'MD5')
    throw bad('signType', 'signType must be MD5 (or left out): kaifang verifies MD5 signatures only');
  const sign = text('sign');
  return {
    version,
    sign: sign === '' ? undefined : sign,
    termId,
    mchNo,
    appId,
    mchOrderNo,
    wayCode: wayCode as WayCode,
    authCode,
    clientIp,
    subAppid,
    signed,
  };
}
