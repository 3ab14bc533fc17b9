import { storepos } from './signing.ts';
import type { Failure } from './codes.ts';
import type { StoreposReply } from './wire.ts';

export type ReplyFields = Failure & Record<string, string | number>;

/**
 * A storepos reply: `state`, `code`, `msg`, any extra fields, then `sign` over the non-empty
 * fields (numbers as decimal text) with the agent key, or "" when the agent is not identified.
 */
export function signedReply(fields: ReplyFields, key: string | undefined): StoreposReply {
  const { state, code, msg, ...extra } = fields;
  const unsigned = { state, code, msg, ...extra };
  return { ...unsigned, sign: key === undefined ? '' : storepos.sign(unsigned, key) };
}
