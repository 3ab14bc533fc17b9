import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { maskSecret } from '../../kernel/signing.ts';
import type { FrontContext } from './front.ts';

/** A request refused before (or outside) the front's own handling, for the front to answer in its shape. */
export interface Refusal {
  /** The HTTP status the refusal calls for (413 body too large, 400 unreadable, …; 500 unexpected). */
  status: number;
  /** What the caller is told: names the problem, never quotes a secret. */
  message: string;
  /** Not a refusal of the request but a failure of kaifang: logged with its stack, answered plainly. */
  unexpected: boolean;
}

/**
 * Answers Fastify's own refusals (a body over the limit, an unreadable content type, an error
 * thrown past the front's handler) through `answer`, in the front's documented shape instead of
 * Fastify's.
 */
export function answerRefusals(
  app: FastifyInstance,
  ctx: FrontContext,
  answer: (refusal: Refusal, request: FastifyRequest, reply: FastifyReply) => unknown,
): void {
  app.setErrorHandler((err: { statusCode?: number; code?: string; message?: string }, request, reply) => {
    let refusal: Refusal;
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      refusal = { status: 413, message: `the request body is larger than ${ctx.bodyLimit} bytes`, unexpected: false };
    } else if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      const type = JSON.stringify(String(request.headers['content-type'] ?? '').slice(0, 100));
      refusal = {
        status: 415,
        message: `the Content-Type ${type} cannot be read; send application/x-www-form-urlencoded or application/json`,
        unexpected: false,
      };
    } else if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
      refusal = { status: err.statusCode, message: `the request cannot be read: ${String(err.message).slice(0, 200)}`, unexpected: false };
    } else {
      request.log.error({ err }, 'unexpected error');
      refusal = { status: 500, message: `unexpected error; request id ${request.id}`, unexpected: true };
    }
    return answer(refusal, request, reply);
  });
}

/**
 * Routes every HTTP method the server knows but `served` on `url` to `refuse` (the front answers
 * 405 in its own shape). HEAD is refused too unless served: the wire GETs have effects (a token
 * issued, a ticket spent, a signed call run), and a HEAD would have them while the answer is
 * dropped — so their GET routes are registered with `exposeHeadRoute: false`.
 */
export function refuseOtherMethods(
  app: FastifyInstance,
  url: string,
  served: readonly HTTPMethods[],
  refuse: (request: FastifyRequest, reply: FastifyReply) => unknown,
): void {
  const taken = new Set<string>(served);
  const others = app.supportedMethods.filter((m) => !taken.has(m)) as HTTPMethods[];
  app.route({ method: others, url, handler: refuse });
}

/**
 * In sandbox mode, the string the caller should have signed (secret masked), to append to a
 * signature refusal; nothing in live mode, where it would help an attacker.
 */
export function signatureHint(ctx: FrontContext, stringToSign: () => string, secret: string): string | undefined {
  return ctx.sandbox ? maskSecret(stringToSign(), secret) : undefined;
}
