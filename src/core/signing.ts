import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The three signature schemes of the four platforms, as pure functions. Each exposes its
 * string-to-sign so that error messages (in sandbox mode) and the console can show it.
 */

export type SignedValue = string | number | boolean | null | undefined | object;
export type SignedParams = Readonly<Record<string, SignedValue>>;

/** How a value is written into a string to sign: numbers in decimal, objects as compact JSON. */
export function valueText(value: SignedValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** Plain UTF-16 code-unit order, which is what Java's String.compareTo and the vendors use. */
function sortedNames(params: SignedParams, skip: string): string[] {
  return Object.keys(params)
    .filter((name) => name !== skip)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function hex(algorithm: 'md5' | 'sha1', text: string): string {
  return createHash(algorithm).update(text, 'utf8').digest('hex');
}

const HEX_DIGEST = { md5: /^[0-9A-Fa-f]{32}$/, sha1: /^[0-9A-Fa-f]{40}$/ } as const;

/**
 * Whether `signature` is the hex digest of `text`, in either case: the digest's bytes against the
 * signature's, in constant time. Hex is checked first, since a Buffer stops at the first non-hex
 * character; what is checked there is the caller's signature, not the secret.
 */
function digestMatches(algorithm: 'md5' | 'sha1', text: string, signature: string): boolean {
  const digest = createHash(algorithm).update(text, 'utf8').digest();
  if (!HEX_DIGEST[algorithm].test(signature)) {
    timingSafeEqual(digest, digest); // the same work as a comparison, whatever was sent
    return false;
  }
  return timingSafeEqual(digest, Buffer.from(signature, 'hex'));
}

/**
 * Opretail (万店掌) gateway: every parameter but `_sig`, empty ones included, sorted by name,
 * concatenated `name value name value…` without separators, wrapped in the secret on both sides,
 * MD5 or SHA1, uppercase hex.
 */
export const opretail = {
  stringToSign(params: SignedParams, secret: string): string {
    let body = '';
    for (const name of sortedNames(params, '_sig')) body += name + valueText(params[name]);
    return secret + body + secret;
  },
  sign(params: SignedParams, secret: string, method: 'md5' | 'sha1'): string {
    return hex(method, opretail.stringToSign(params, secret)).toUpperCase();
  },
  verify(params: SignedParams, secret: string, method: 'md5' | 'sha1', signature: string): boolean {
    return digestMatches(method, opretail.stringToSign(params, secret), signature);
  },
};

/** `a=1&b=2…&key=KEY` over the non-empty values except `signField`: shared by the two key-suffix schemes. */
function keyedString(params: SignedParams, key: string, signField: string): string {
  const pairs: string[] = [];
  for (const name of sortedNames(params, signField)) {
    const text = valueText(params[name]);
    if (text !== '') pairs.push(`${name}=${text}`);
  }
  pairs.push(`key=${key}`);
  return pairs.join('&');
}

/**
 * storepos (超赢) and WeChat Pay API v2: non-empty parameters except `sign`, sorted, joined as
 * `name=value&…`, then `&key=KEY`; MD5, uppercase hex.
 */
export const storepos = {
  stringToSign(params: SignedParams, key: string): string {
    return keyedString(params, key, 'sign');
  },
  sign(params: SignedParams, key: string): string {
    return hex('md5', storepos.stringToSign(params, key)).toUpperCase();
  },
  verify(params: SignedParams, key: string, signature: string): boolean {
    return digestMatches('md5', storepos.stringToSign(params, key), signature);
  },
};

/** WeChat Pay v2 signs XML fields exactly as storepos signs form fields. */
export const wechatPayV2 = storepos;

/**
 * Java's `String.CASE_INSENSITIVE_ORDER`: code unit by code unit, each folded with
 * `Character.toUpperCase` then `Character.toLowerCase` (one unit in, one unit out), then length.
 */
function caseInsensitiveCompare(a: string, b: string): number {
  const fold = (c: number) => {
    // ASCII (every name and nearly every value): upper then lower is just lower.
    if (c < 128) return c >= 65 && c <= 90 ? c + 32 : c;
    const upper = String.fromCharCode(c).toUpperCase();
    const u = upper.length === 1 ? upper : String.fromCharCode(c);
    const lower = u.toLowerCase();
    return (lower.length === 1 ? lower : u).charCodeAt(0);
  };
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const d = fold(x) - fold(y);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/**
 * jucai (巨彩, the Jeepay family): every top-level field but `sign` whose value is not empty, as
 * `name=value` strings sorted as whole strings, case-insensitively (`JeepayKit.getStrSort`), joined
 * with `&`, then `&key=KEY`; MD5 of the UTF-8 bytes, emitted in lowercase hex as the seed's examples.
 */
export const jucai = {
  stringToSign(params: SignedParams, key: string): string {
    const pairs: string[] = [];
    for (const name of Object.keys(params)) {
      if (name === 'sign') continue;
      const text = valueText(params[name]);
      if (text !== '') pairs.push(`${name}=${text}`);
    }
    pairs.sort(caseInsensitiveCompare);
    pairs.push(`key=${key}`);
    return pairs.join('&');
  },
  sign(params: SignedParams, key: string): string {
    return hex('md5', jucai.stringToSign(params, key));
  },
  verify(params: SignedParams, key: string, signature: string): boolean {
    return digestMatches('md5', jucai.stringToSign(params, key), signature);
  },
};

/** Shows a string to sign with the secret masked, for sandbox-mode error messages. */
export function maskSecret(stringToSign: string, secret: string): string {
  if (secret === '') return stringToSign;
  return stringToSign.split(secret).join('<secret>');
}
