import type { RenderedReply, WireRefusal } from '../kit/front.ts';

/** A refusal in the jucai reply shape: `{code, msg, data: null}`, no `sign` (no app was identified). */
export function jucaiRefusal(r: WireRefusal): RenderedReply {
  return {
    status: r.status,
    contentType: 'application/json; charset=utf-8',
    body: JSON.stringify({ code: 400, msg: `参数错误: ${r.message}`, data: null }),
  };
}
