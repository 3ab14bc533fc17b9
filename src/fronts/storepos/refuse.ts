import type { RenderedReply, WireRefusal } from '../kit/front.ts';
import { CODE } from './codes.ts';
import { signedReply } from './reply.ts';

/**
 * Every refusal the front does not answer itself, in the storepos reply shape: FAIL naming the
 * problem, `sign` empty (no agent was identified). A request refused before any route took it
 * keeps its HTTP status; one that reached a route gets 200, as the agents' clients read `state`
 * and `code` from the body whatever the status — but a body too large keeps its 413 (it was not
 * read). kaifang's own failure is 10006.
 */
export function storeposRefusal(r: WireRefusal): RenderedReply {
  const code = r.status === 500 ? CODE.SYSTEM : CODE.PARAM;
  const msg = r.status === 500 ? `系统错误; request id ${r.requestId}` : r.message;
  return {
    status: r.routed && r.status !== 413 ? 200 : r.status,
    contentType: 'application/json; charset=utf-8',
    body: JSON.stringify(signedReply({ state: 'FAIL', code, msg }, undefined)),
    outcome: `FAIL:${code}`,
  };
}
