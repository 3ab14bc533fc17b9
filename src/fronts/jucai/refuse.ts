import type { RenderedReply, WireRefusal } from '../kit/front.ts';
import { SEND_JSON } from './params.ts';

/**
 * Every refusal the front does not answer itself, in the jucai reply shape `{code, msg, data:
 * null}` with no `sign` (no data): 400 naming the problem, 500 for kaifang's own failure. A request
 * refused before the route took it keeps its HTTP status (404 another path — paths are
 * case-sensitive —, 405 another method), as the other fronts do; one that reached the route is
 * HTTP 200 like every answer of the API, but for a body too large (413: not read).
 */
export function jucaiRefusal(r: WireRefusal): RenderedReply {
  const code = r.status === 500 ? 500 : 400;
  // A content type nothing reads: this API reads JSON only (the kit's wording offers a form too).
  const message = r.status === 415 ? SEND_JSON : r.message;
  const msg = r.status === 500 ? `系统错误; request id ${r.requestId}` : `参数错误: ${message}`;
  return {
    status: r.routed && r.status !== 413 ? 200 : r.status,
    contentType: 'application/json; charset=utf-8',
    body: JSON.stringify({ code, msg, data: null }),
    outcome: String(code),
  };
}
