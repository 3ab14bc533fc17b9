import { createMD5, createSHA1, type IHasher } from 'hash-wasm';
import type { DigestAlgorithm } from '../kernel/digest.ts';

/**
 * The browser's digest for the signing modules: the bundle puts this file in the place of
 * src/kernel/digest.ts (bin/console-build.js), so kernel/signing.ts and every front's signing.ts
 * sign in the page with the code the server runs. hash-wasm (MD5, SHA-1 in WebAssembly) hashes
 * synchronously once `digestReady()` has compiled it, as the signing functions need.
 */

const hashers: Partial<Record<DigestAlgorithm, IHasher>> = {};
let ready: Promise<void> | undefined;

/** Compiles the digests; the page awaits it once before signing. */
export function digestReady(): Promise<void> {
  ready ??= Promise.all([createMD5(), createSHA1()]).then(([md5, sha1]) => {
    hashers.md5 = md5;
    hashers.sha1 = sha1;
  });
  return ready;
}

export type { DigestAlgorithm };

/** The lowercase hex digest of the text's UTF-8 bytes. */
export function hexDigest(algorithm: DigestAlgorithm, text: string): string {
  const hasher = hashers[algorithm];
  if (!hasher) throw new Error('digestReady() first');
  hasher.init();
  hasher.update(text);
  return hasher.digest('hex');
}

/** Whether `signature` is the hex digest of `text`, in either case (in the page nothing secret is compared against a caller). */
export function digestMatches(algorithm: DigestAlgorithm, text: string, signature: string): boolean {
  return hexDigest(algorithm, text) === signature.toLowerCase();
}
