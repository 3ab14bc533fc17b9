import type { RenderedReply, WireRefusal } from '../kit/front.ts';
import { CODE } from './codes.ts';
import { signedReply } from './reply.ts';

/**
 * A refusal in the storepos reply shape: FAIL 10004 naming the problem, `sign` empty (no agent was
 * identified), with the HTTP status of the refusal (the request was not read).
 */
export function storeposRefusal(r: WireRefusal): RenderedReply {
  return {
    status: r.status,
    contentType: 'application/json; charset=utf-8',
    body: JSON.stringify(signedReply({ state: 'FAIL', code: CODE.PARAM, msg: r.message }, undefined)),
  };
}
