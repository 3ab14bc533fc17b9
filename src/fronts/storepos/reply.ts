import { storepos } from './signing.ts';
import type { Failure } from './codes.ts';

export type ReplyFields = Failure & Record<string, string | number>;

/**
 * A storepos reply: `state`, `code`, `msg`, any extra fields, then `sign` over the non-empty
 * fields (numbers as decimal text) with the agent key, or "" when the agent is not identified.
 */
export function signedReply(fields: ReplyFields, key: string | undefined): Record<string, string | number> {
  const { state, code, msg, ...extra } = fields;
  const body: Record<string, string | number> = { state, code, msg, ...extra };
  body.sign = key === undefined ? '' : storepos.sign(body, key);
  return body;
}
