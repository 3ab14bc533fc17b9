import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { UpstreamRejected, UpstreamUnavailable, type RejectReason } from '../../kernel/errors.ts';
import { maskSecret } from '../../kernel/signing.ts';
import type { CallResult } from '../../core/callLog.ts';
import { useFrontBodyParsers } from './bodies.ts';
import type { FrontContext, RenderedReply, WireRefusal } from './front.ts';

/**
 * One wire call as its handler sees it: what the metrics and the call log record of it. The
 * handler names the credential once it is known and the outcome once it answers; the kit times
 * the call and observes it.
 */
export interface WireCall {
  /** The endpoint: the path, or what the front calls an endpoint (the gateway's method name). */
  endpoint: string;
  /** The credential's public id, once the request names one (never a secret). */
  credential: string | null;
  /** The front's own outcome code, as text. */
  outcome: string;
  /** What became of it in every front's words; `ok` unless the handler's catch says otherwise (`resultOf`). */
  result: CallResult;
}

export type WireHandler = (request: FastifyRequest, reply: FastifyReply, call: WireCall) => unknown;

export interface WireRoute {
  method: HTTPMethods | readonly HTTPMethods[];
  url: string;
  handler: WireHandler;
}

/** What a front's wire plugin registers its routes with. */
export interface Wire {
  /**
   * Serves `route.method` on `route.url`: the call is timed and observed once (metrics and call
   * log) after the handler answers, and every other HTTP method on the path is refused in the
   * front's shape (405). No HEAD route: the wire GETs have effects (a token issued, a ticket spent,
   * a signed call run), and a HEAD would have them while its answer is dropped.
   */
  route(route: WireRoute): void;
}

/** The part of a front's descriptor the kit answers refusals with. */
export interface RefusingFront {
  readonly name: string;
  refuse(refusal: WireRefusal): RenderedReply;
}

/** `GET`, `GET or POST`, `GET, POST or PUT`. */
const orList = (words: readonly string[]) => (words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`);

const splitUrl = (url: string) => {
  const q = url.indexOf('?');
  return q === -1 ? { path: url, query: '' } : { path: url.slice(0, q), query: url.slice(q + 1) };
};

/**
 * Sets up a front's wire plugin: body parsers that never throw (a body that cannot be read reaches
 * the route as `{type: 'invalid'}`), and every refusal inside the plugin — a body over the size
 * limit, a content type nothing parses, another HTTP method, an error past the handler — answered
 * through the front's one `refuse`, the same the server answers framing and path refusals with.
 */
export function frontWire(app: FastifyInstance, ctx: FrontContext, front: RefusingFront): Wire {
  useFrontBodyParsers(app);

  const refuse = (request: FastifyRequest, reply: FastifyReply, status: number, message: string, routed: boolean, startedAt: bigint) => {
    const { path, query } = splitUrl(request.url);
    const answer = front.refuse({ status, message, routed, path, query, requestId: request.id, now: ctx.clock.now() });
    ctx.observe({
      front: front.name,
      endpoint: request.routeOptions.url ?? path,
      credential: null,
      outcome: answer.outcome,
      result: status >= 500 ? 'error' : 'refused',
      startedAt,
      requestId: request.id,
    });
    return reply.code(answer.status).header('content-type', answer.contentType).send(answer.body);
  };

  app.setErrorHandler((err: { statusCode?: number; code?: string; message?: string }, request, reply) => {
    const startedAt = process.hrtime.bigint();
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return refuse(request, reply, 413, `the request body is larger than ${ctx.bodyLimit} bytes`, true, startedAt);
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      const type = JSON.stringify(String(request.headers['content-type'] ?? '').slice(0, 100));
      return refuse(
        request,
        reply,
        415,
        `the Content-Type ${type} cannot be read; send application/x-www-form-urlencoded or application/json`,
        true,
        startedAt,
      );
    }
    if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
      return refuse(request, reply, err.statusCode, `the request cannot be read: ${String(err.message).slice(0, 200)}`, true, startedAt);
    }
    request.log.error({ err }, `${front.name}: unexpected error`);
    return refuse(request, reply, 500, `unexpected error; request id ${request.id}`, true, startedAt);
  });

  return {
    route({ method, url, handler }) {
      const served: readonly HTTPMethods[] = typeof method === 'string' ? [method] : method;
      app.route({
        method: served as HTTPMethods[],
        url,
        exposeHeadRoute: false,
        async handler(request, reply) {
          const startedAt = process.hrtime.bigint();
          const call: WireCall = { endpoint: url, credential: null, outcome: '', result: 'ok' };
          const sent = await handler(request, reply, call);
          // A handler that throws is observed once, by the error handler's refusal.
          ctx.observe({
            front: front.name,
            endpoint: call.endpoint,
            credential: call.credential,
            outcome: call.outcome,
            result: call.result,
            startedAt,
            requestId: request.id,
          });
          return sent;
        },
      });
      const taken = new Set<string>(served);
      app.route({
        method: app.supportedMethods.filter((m) => !taken.has(m)) as HTTPMethods[],
        url,
        handler: (request, reply) =>
          refuse(
            request,
            reply,
            405,
            `HTTP ${request.method} is not served on ${url}; send ${orList(served)}`,
            false,
            process.hrtime.bigint(),
          ),
      });
    },
  };
}

/**
 * In sandbox mode, the string the caller should have signed (secret masked), to append to a
 * signature refusal; nothing in live mode, where it would help an attacker.
 */
export function signatureHint(ctx: FrontContext, stringToSign: () => string, secret: string): string | undefined {
  return ctx.sandbox ? maskSecret(stringToSign(), secret) : undefined;
}

/** What the upstream's refusal says about the call: the caller's own data, or the service or its configuration. */
const CALLERS_FAULT: ReadonlySet<RejectReason> = new Set(['invalid-code', 'used-code', 'expired-code', 'user-blocked', 'bad-recipient']);

/**
 * The shared `result` of a call a front's handler answered with an error: `err` is what was
 * thrown, `failure` what the front's error table made of it (`undefined`: kaifang's own failure).
 * An upstream that could not be used, or refused the platform's credentials, configuration or
 * load, is `upstream_error`; an upstream's refusal of the caller's own one-time code or user is a
 * refusal like any other; a call waiting on the first one with its key is refused too.
 */
export function resultOf(err: unknown, failure: unknown): CallResult {
  if (failure === undefined) return 'error';
  if (err instanceof UpstreamUnavailable) return err.reason === 'in-progress' ? 'refused' : 'upstream_error';
  if (err instanceof UpstreamRejected) return CALLERS_FAULT.has(err.reason) ? 'refused' : 'upstream_error';
  return 'refused';
}

/**
 * A front's one table from errors to its wire answer: a domain error (or one of the front's own
 * typed errors) maps to what the front says; anything else is kaifang's own failure, `undefined`,
 * which the front logs with its stack and answers with its system error.
 */
export type ErrorTable<Failure> = (err: unknown) => Failure | undefined;
