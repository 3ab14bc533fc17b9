import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { digestOf } from './digest.ts';

/**
 * Compares two strings in time that depends only on their lengths. Signatures are hex, so the
 * `ignoreCase` option lets callers accept either case without a data-dependent early exit.
 */
export function constantTimeEqual(a: string, b: string, ignoreCase = false): boolean {
  const x = Buffer.from(ignoreCase ? a.toUpperCase() : a, 'utf8');
  const y = Buffer.from(ignoreCase ? b.toUpperCase() : b, 'utf8');
  if (x.length !== y.length) {
    // Still spend a comparison so a length mismatch is not measurably faster.
    timingSafeEqual(x, x);
    return false;
  }
  return timingSafeEqual(x, y);
}

/** SHA-256 hex; how tokens and one-time codes are stored (never in clear). */
export function sha256Hex(text: string): string {
  return digestOf('sha256', text, 'hex');
}

/** A master key's public name: 16 hex characters that tell keys apart and reveal nothing of them. */
export function keyFingerprint(key: Buffer): string {
  return createHmac('sha256', key).update('kaifang master key id').digest('hex').slice(0, 16);
}

/**
 * AES-256-GCM under the master key, for secrets kaifang must read back in clear (partner secrets
 * sign MD5/SHA1 requests). Format: `v1.<iv>.<tag>.<ciphertext>`, base64url parts.
 *
 * A box may hold more than one key (a master-key rotation, `kaifang keys rotate-master`): it seals
 * with the first and opens with any. One that finds a value none of its keys opens asks `reload`
 * (at most once a second) for the keys as they are now, so a process picks up a key that another
 * process rotated to.
 */
export class SecretBox {
  private keys: Buffer[];
  private reloadedAt = 0;

  constructor(
    masterKey: Buffer,
    others: readonly Buffer[] = [],
    private readonly reload?: () => Buffer[],
  ) {
    this.keys = [];
    this.use([masterKey, ...others]);
  }

  /** The fingerprint of the key that seals. */
  get fingerprint(): string {
    return keyFingerprint(this.keys[0]!);
  }

  /** Every key's fingerprint, the sealing one first. */
  get fingerprints(): string[] {
    return this.keys.map(keyFingerprint);
  }

  /** Takes `keys` (the first seals), or, with `sealWith`, seals with the one of that fingerprint. */
  use(keys: readonly Buffer[], sealWith?: string): void {
    const unique = keys.filter((k, i) => keys.findIndex((o) => o.equals(k)) === i);
    for (const k of unique) if (k.length !== 32) throw new Error('the master key must be 32 bytes');
    if (unique.length === 0) throw new Error('a secret box needs a key');
    const first = sealWith === undefined ? -1 : unique.findIndex((k) => keyFingerprint(k) === sealWith);
    this.keys = first > 0 ? [unique[first]!, ...unique.filter((_, i) => i !== first)] : unique;
  }

  /** Asks for the keys as they are now (the key files may have changed), sealing with `sealWith` when known. */
  refresh(sealWith?: string): boolean {
    if (!this.reload) return false;
    this.reloadedAt = Date.now();
    const keys = this.reload();
    if (keys.length === 0) return false;
    this.use(keys, sealWith ?? this.fingerprint);
    return true;
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys[0]!, iv);
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return ['v1', iv.toString('base64url'), tag.toString('base64url'), ct.toString('base64url')].join('.');
  }

  open(sealed: string): string {
    const [v, iv, tag, ct] = sealed.split('.');
    if (v !== 'v1' || iv === undefined || tag === undefined || ct === undefined) {
      throw new Error('not a sealed secret');
    }
    const parts = { iv: Buffer.from(iv, 'base64url'), tag: Buffer.from(tag, 'base64url'), ct: Buffer.from(ct, 'base64url') };
    const tried = this.keys;
    for (const key of tried) {
      const plain = openWith(key, parts);
      if (plain !== undefined) return plain;
    }
    // Sealed under a key this process does not hold (yet): another process rotated it.
    if (this.reload && Date.now() - this.reloadedAt >= 1000 && this.refresh()) {
      for (const key of this.keys) {
        if (tried.some((k) => k.equals(key))) continue;
        const plain = openWith(key, parts);
        if (plain !== undefined) return plain;
      }
    }
    throw new Error('cannot open a sealed secret: none of the master keys this process holds sealed it');
  }
}

function openWith(key: Buffer, { iv, tag, ct }: { iv: Buffer; tag: Buffer; ct: Buffer }): string | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
