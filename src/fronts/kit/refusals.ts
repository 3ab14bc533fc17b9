import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { maskSecret } from '../../core/signing.ts';
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
 * Answers Fastify's own refusals (a body over the limit, broken framing, an error thrown past the
 * front's handler) through `answer`, in the front's documented shape instead of Fastify's.
 */
export function answerRefusals(app: FastifyInstance, ctx: FrontContext, answer: (refusal: Refusal, request: FastifyRequest, reply: FastifyReply) => unknown): void {
  app.setErrorHandler((err: { statusCode?: number; code?: string; message?: string }, request, reply) => {
    let refusal: Refusal;
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      refusal = { status: 413, message: `the request body is larger than ${ctx.bodyLimit} bytes`, unexpected: false };
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
 * In sandbox mode, the string the caller should have signed (secret masked), to append to a
 * signature refusal; nothing in live mode, where it would help an attacker.
 */
export function signatureHint(ctx: FrontContext, stringToSign: () => string, secret: string): string | undefined {
  return ctx.sandbox ? maskSecret(stringToSign(), secret) : undefined;
}
