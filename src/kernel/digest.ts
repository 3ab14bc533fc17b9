import * as crypto from 'node:crypto';
import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The digest the signing schemes end with, on the server: node:crypto. The browser build of the
 * console's debugger puts src/console/digest.ts (the same two functions over hash-wasm) in this
 * module's place, so kernel/signing.ts and every front's signing.ts run unchanged in the page.
 */

export type DigestAlgorithm = 'md5' | 'sha1';

type OneShot = (algorithm: string, data: string, outputEncoding: 'hex' | 'buffer') => string | Uint8Array;

/**
 * Node's one-shot `crypto.hash` (Node ≥ 20.12) where there is one: no Hash object per digest,
 * ~0.6 µs of ~1.5 less a call (measured, MD5 of a signed call's text); `createHash` otherwise.
 */
const oneShot = (crypto as unknown as { hash?: OneShot }).hash;

/**
 * The digest of the text's UTF-8 bytes, as lowercase hex or bytes. (Typed with the language's
 * Uint8Array, not Node's Buffer: a client's declarations include this module and must compile
 * without Node's types.)
 */
export function digestOf(algorithm: string, text: string, as: 'hex'): string;
export function digestOf(algorithm: string, text: string, as: 'buffer'): Uint8Array;
export function digestOf(algorithm: string, text: string, as: 'hex' | 'buffer'): string | Uint8Array {
  if (oneShot) return oneShot(algorithm, text, as);
  const hash = createHash(algorithm).update(text, 'utf8');
  return as === 'hex' ? hash.digest('hex') : hash.digest();
}

/** The lowercase hex digest of the text's UTF-8 bytes. */
export function hexDigest(algorithm: DigestAlgorithm, text: string): string {
  return digestOf(algorithm, text, 'hex');
}

const HEX_DIGEST = { md5: /^[0-9A-Fa-f]{32}$/, sha1: /^[0-9A-Fa-f]{40}$/ } as const;

/**
 * Whether `signature` is the hex digest of `text`, in either case: the digest's bytes against the
 * signature's, in constant time. Hex is checked first, since a Buffer stops at the first non-hex
 * character; what is checked there is the caller's signature, not the secret.
 */
export function digestMatches(algorithm: DigestAlgorithm, text: string, signature: string): boolean {
  const digest = digestOf(algorithm, text, 'buffer');
  if (!HEX_DIGEST[algorithm].test(signature)) {
    timingSafeEqual(digest, digest); // the same work as a comparison, whatever was sent
    return false;
  }
  return timingSafeEqual(digest, Buffer.from(signature, 'hex'));
}
