import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

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
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * AES-256-GCM under the master key, for secrets kaifang must read back in clear (partner secrets
 * sign MD5/SHA1 requests). Format: `v1.<iv>.<tag>.<ciphertext>`, base64url parts.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(masterKey: Buffer) {
    if (masterKey.length !== 32) throw new Error('the master key must be 32 bytes');
    this.key = masterKey;
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return ['v1', iv.toString('base64url'), tag.toString('base64url'), ct.toString('base64url')].join('.');
  }

  open(sealed: string): string {
    const [v, iv, tag, ct] = sealed.split('.');
    if (v !== 'v1' || iv === undefined || tag === undefined || ct === undefined) {
      throw new Error('not a sealed secret');
    }
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  }
}
