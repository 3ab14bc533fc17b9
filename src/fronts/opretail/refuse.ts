import type { RenderedReply, WireRefusal } from '../kit/front.ts';
import { CODES, type Codename, UNEXPECTED } from './codes.ts';
import { peekFormat } from './params.ts';
import { envelope, render } from './reply.ts';

/** The gateway's code for each refusal: a path that is not `/m.api` names no method; a method the gateway does not serve is a request mode it does not know; kaifang's own failure is -999, a stopping process -500; anything unreadable is 7. */
function codenameOf(status: number): Codename {
  if (status === 404) return 'METHOD_NOTEXIST_CODE';
  if (status === 405) return 'REQUESTMODE_NOTNULL';
  if (status === 500) return UNEXPECTED.codename;
  // A process that is stopping: the platform cannot take the call now (the gateway's system error).
  if (status === 503) return 'API_SYSTEM_CALL_ERROR';
  return 'SIGN_WRONG';
}

/**
 * Every refusal the gateway does not answer itself, in its reply shape (JSON, or XML when the
 * query asks for it). A request refused before the route took it keeps its HTTP status, so proxies
 * and monitoring see it; one that reached the route is HTTP 200 like every gateway answer (the
 * vendor SDKs read `stat.code` whatever the status), but for a body too large (413: not read).
 */
export function opretailRefusal(r: WireRefusal): RenderedReply {
  const codename = codenameOf(r.status);
  const result = r.status === 500 ? UNEXPECTED.result : r.message;
  const { contentType, payload } = render(peekFormat(r.query), envelope(r.requestId, r.now, codename, result, null));
  return { status: r.routed && r.status !== 413 ? 200 : r.status, contentType, body: payload, outcome: String(CODES[codename]) };
}
