import type { RenderedReply, WireRefusal } from '../kit/front.ts';
import type { Codename } from './codes.ts';
import { peekFormat } from './params.ts';
import { envelope, render } from './reply.ts';

/** The gateway's code for each HTTP-level refusal: a path that is not `/m.api` names no method; a method the gateway does not serve is a request mode it does not know; anything unreadable is 7. */
function codenameOf(status: number): Codename {
  if (status === 404) return 'METHOD_NOTEXIST_CODE';
  if (status === 405) return 'REQUESTMODE_NOTNULL';
  return 'SIGN_WRONG';
}

/**
 * A refusal in the gateway's reply shape (JSON, or XML when the query asks for it), with the HTTP
 * status of the refusal: the request was not read, so proxies and monitoring should see it.
 */
export function opretailRefusal(r: WireRefusal): RenderedReply {
  const { contentType, payload } = render(peekFormat(r.query), envelope(r.requestId, r.now, codenameOf(r.status), r.message, null));
  return { status: r.status, contentType, body: payload };
}
