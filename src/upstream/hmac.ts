import { createHmac } from 'node:crypto';

/**
 * `sha256=<hex HMAC-SHA256(secret, raw body)>`: how kaifang signs the JSON it sends to an
 * operator's own services (the SMS webhook, the UnionPay acquirer bridge) in `X-Kaifang-Signature`,
 * and how the bridge signs its answers back. The body carries a `timestamp` (also sent as
 * `X-Kaifang-Timestamp`), so a receiver can refuse stale replays with the signature covering it.
 */
export function bodySignature(secret: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody, 'utf8').digest('hex')}`;
}
