import type { RenderedReply, WireRefusal } from '../kit/front.ts';

/**
 * Every refusal the front does not answer itself, in the jucai reply shape `{code, msg, data:
 * null}` with no `sign` (no app was identified): 400 naming the problem, 500 for kaifang's own
 * failure. A request refused before the route took it keeps its HTTP status; one that reached the
 * route is HTTP 200 like every answer of the API, but for a body too large (413: not read).
 */
export function jucaiRefusal(r: WireRefusal): RenderedReply {
  const code = r.status === 500 ? 500 : 400;
  const msg = r.status === 500 ? `系统错误; request id ${r.requestId}` : `参数错误: ${r.message}`;
  return {
    status: r.routed && r.status !== 413 ? 200 : r.status,
    contentType: 'application/json; charset=utf-8',
    body: JSON.stringify({ code, msg, data: null }),
    outcome: String(code),
  };
}
