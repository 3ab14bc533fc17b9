import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The signing primitives every scheme is made of: how a value is written into a string to sign,
 * the vendors' name order, hex digests, a constant-time check of a hex signature, and the
 * key-suffix scheme WeChat Pay v2 defines (超赢 signs the same way). Each front's own scheme lives in
 * its folder (`fronts/<name>/signing.ts`) and is built from these.
 */

export type SignedValue = string | number | boolean | null | undefined | object;
export type SignedParams = Readonly<Record<string, SignedValue>>;
export type DigestAlgorithm = 'md5' | 'sha1';

/** How a value is written into a string to sign: numbers in decimal, objects as compact JSON. */
export function valueText(value: SignedValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** Plain UTF-16 code-unit order, which is what Java's String.compareTo and the vendors use. */
export function sortedNames(params: SignedParams, skip: string): string[] {
  return Object.keys(params)
    .filter((name) => name !== skip)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The lowercase hex digest of the text's UTF-8 bytes. */
export function hexDigest(algorithm: DigestAlgorithm, text: string): string {
  return createHash(algorithm).update(text, 'utf8').digest('hex');
}

const HEX_DIGEST = { md5: /^[0-9A-Fa-f]{32}$/, sha1: /^[0-9A-Fa-f]{40}$/ } as const;

/**
 * Whether `signature` is the hex digest of `text`, in either case: the digest's bytes against the
 * signature's, in constant time. Hex is checked first, since a Buffer stops at the first non-hex
 * character; what is checked there is the caller's signature, not the secret.
 */
export function digestMatches(algorithm: DigestAlgorithm, text: string, signature: string): boolean {
  const digest = createHash(algorithm).update(text, 'utf8').digest();
  if (!HEX_DIGEST[algorithm].test(signature)) {
    timingSafeEqual(digest, digest); // the same work as a comparison, whatever was sent
    return false;
  }
  return timingSafeEqual(digest, Buffer.from(signature, 'hex'));
}

/**
 * WeChat Pay API v2 (and 超赢, which signs its form fields the same way): non-empty parameters
 * except `sign`, sorted, joined as `name=value&…`, then `&key=KEY`; MD5, uppercase hex.
 */
export const wechatPayV2 = {
  stringToSign(params: SignedParams, key: string): string {
    const pairs: string[] = [];
    for (const name of sortedNames(params, 'sign')) {
      const text = valueText(params[name]);
      if (text !== '') pairs.push(`${name}=${text}`);
    }
    pairs.push(`key=${key}`);
    return pairs.join('&');
  },
  sign(params: SignedParams, key: string): string {
    return hexDigest('md5', wechatPayV2.stringToSign(params, key)).toUpperCase();
  },
  verify(params: SignedParams, key: string, signature: string): boolean {
    return digestMatches('md5', wechatPayV2.stringToSign(params, key), signature);
  },
};

/** Shows a string to sign with the secret masked, for sandbox-mode error messages. */
export function maskSecret(stringToSign: string, secret: string): string {
  if (secret === '') return stringToSign;
  return stringToSign.split(secret).join('<secret>');
}
