/**
 * The signing primitives every scheme is made of: how a value is written into a string to sign,
 * the vendors' name order, the key-suffix scheme WeChat Pay v2 defines (超赢 signs the same way),
 * and the digest every scheme ends with. Each front's own scheme lives in its folder
 * (`fronts/<name>/signing.ts`) and is built from these.
 *
 * This module and the fronts' signing modules run in Node and in the browser (the debugger signs
 * in the page with them): they import nothing of Node's. The digest is injected through
 * `./digest.ts`, which is node:crypto on the server (a constant-time compare with timingSafeEqual)
 * and which the console's build replaces with src/console/digest.ts (hash-wasm) in the browser.
 */
import { digestMatches, hexDigest, type DigestAlgorithm } from './digest.ts';

export { digestMatches, hexDigest, type DigestAlgorithm };

export type SignedValue = string | number | boolean | null | undefined | object;
export type SignedParams = Readonly<Record<string, SignedValue>>;

/** How a value is written into a string to sign: numbers in decimal, objects as compact JSON. */
export function valueText(value: SignedValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/**
 * Plain UTF-16 code-unit order, which is what Java's String.compareTo and the vendors use. That is
 * `sort()`'s own order for strings: no comparator, so no call into JavaScript per comparison.
 */
export function sortedNames(params: SignedParams, skip: string): string[] {
  const names = Object.keys(params);
  const at = names.indexOf(skip);
  if (at !== -1) names.splice(at, 1);
  return names.sort();
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
