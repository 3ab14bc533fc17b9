import { sha256Hex } from '../../../kernel/secrets.ts';

/**
 * What a keyed request asked, as one digest: its fields by name (order and carrier do not matter,
 * a form and a JSON body with the same fields are the same request). A repeat of an
 * `Idempotency-Key` with another fingerprint is a Conflict.
 */
export function requestFingerprint(fields: object): string {
  const entries = Object.entries(fields as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return sha256Hex(JSON.stringify(entries));
}
