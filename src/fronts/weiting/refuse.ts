import type { RenderedReply, WireRefusal } from '../kit/front.ts';

/** A refusal under `/service/` in the seed's error shape `{status, errMsg}`. */
export function weitingRefusal(r: WireRefusal): RenderedReply {
  return { status: r.status, contentType: 'application/json; charset=utf-8', body: JSON.stringify({ status: 0, errMsg: r.message }) };
}
