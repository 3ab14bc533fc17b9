import { randomBytes } from 'node:crypto';
import type { FastifyReply } from 'fastify';

/** WeChat's request id, as it rides at the end of every errmsg. */
function rid(): string {
  const h = randomBytes(12).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 16)}-${h.slice(16, 24)}`;
}

/** A WeChat JSON answer. WeChat sends JSON as text/plain; the adapters must not depend on the content type. */
export function wechatAnswer(reply: FastifyReply, body: object) {
  return reply.code(200).header('content-type', 'text/plain').send(JSON.stringify(body));
}

/** A WeChat refusal: HTTP 200 with `{errcode, errmsg}`. */
export function wechatFailure(reply: FastifyReply, errcode: number, errmsg: string) {
  return wechatAnswer(reply, { errcode, errmsg: `${errmsg}, rid: ${rid()}` });
}
