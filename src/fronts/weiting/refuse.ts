import type { RenderedReply, WireRefusal } from '../kit/front.ts';
import { INTERFACE_ERROR } from './codes.ts';

/**
 * Every refusal under `/service/` the front does not answer itself, in the seed's error shape
 * `{status, errMsg}` with the HTTP status of the refusal (a body too large or unreadable, a
 * Content-Type nobody can parse, another method); kaifang's own failure is the seed's 40005.
 */
export function weitingRefusal(r: WireRefusal): RenderedReply {
  const body = r.status === 500 ? INTERFACE_ERROR : { status: 0, errMsg: r.message };
  return {
    status: r.status === 500 && r.routed ? 200 : r.status,
    contentType: 'application/json; charset=utf-8',
    body: JSON.stringify(body),
    outcome: String(body.status),
  };
}
