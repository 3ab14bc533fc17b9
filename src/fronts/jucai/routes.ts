import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InvalidSignature, NotFound, Disabled } from '../../kernel/errors.ts';
import type { JucaiAppWithSecret } from './domain/apps.ts';
import type { MerchantForCall } from './domain/organization.ts';
import { jucai } from './signing.ts';
import { bodyOf } from '../kit/bodies.ts';
import type { FrontContext, FrontPluginOptions } from '../kit/front.ts';
import { frontWire, resultOf, signatureHint, type WireCall } from '../kit/wire.ts';
import { failureOf, SUCCESS, type ReplyCode } from './codes.ts';
import { jucaiRefusal } from './refuse.ts';
import { readRequest, type Auth2OpenIdRequest } from './params.ts';
import { reply, replyData, type ReplyData } from './reply.ts';
import type { JucaiServices } from './services.ts';

const PATH = '/pay/api/1.0/auth2OpenId';
const NO_PAYER = { appid: '', openid: '', subAppid: '', subOpenid: '' } as const;

/**
 * The 巨彩商服 payment identity API: `POST /pay/api/1.0/auth2OpenId`. HTTP 200 with `{code, msg,
 * data, sign?}` for every request that reaches the route (jucai.md), checked in this order: a readable JSON body whose fields
 * follow the rules (400) → `sign` present (401) → merchant and app known, the app the merchant's
 * (404) → switched on, with its ISV (403) → signature (401) → rate limits of the merchant and the
 * app (429) → the order (its stored answer, whatever the channel's state; 409 for another request)
 * → the channel (200 with `data.returnCode`, or 502).
 * Nothing is recorded and no channel is called for a refused request.
 */
export async function jucaiRoutes(app: FastifyInstance, { services, ctx, front }: FrontPluginOptions<JucaiServices>): Promise<void> {
  const wire = frontWire(app, ctx, { name: front.name, refuse: jucaiRefusal });
  wire.route({ method: 'POST', url: PATH, handler: (request, r, call) => handle(services, ctx, request, r, call) });
}

async function handle(s: JucaiServices, ctx: FrontContext, request: FastifyRequest, r: FastifyReply, call: WireCall): Promise<unknown> {
  let req: Auth2OpenIdRequest | undefined;
  let app: JucaiAppWithSecret | undefined;
  let merchant: MerchantForCall | undefined;
  /** Set once the request's signature verified: only then is the reply signed. */
  let signer: string | undefined;
  let code: ReplyCode;
  let data: ReplyData | null = null;
  try {
    const read = readRequest(bodyOf(request), request.headers['content-type']);
    if (!isSigned(read)) throw new InvalidSignature('sign is required');
    req = read;
    // Awaited only when the merchant or the app has to be read: an await costs a promise and a
    // microtask turn, and nearly every call finds both in this process's caches.
    const cachedMerchant = s.organization.cachedForCall(req.mchNo);
    const cachedApp = cachedMerchant && s.apps.cachedForSigning(req.appId);
    ({ merchant, app } = cachedApp ? identified(req, cachedMerchant.value, cachedApp.value) : await identify(s, req));
    checkSignature(ctx, req, app);
    signer = app.secret;
    // The merchant's and the app's windows in one write; the merchant's refusal comes first.
    const mch = `jucai:mch:${merchant.id}`;
    const appScope = `jucai:app:${app.id}`;
    await s.quotas.hit([
      ...s.quotas.windows(mch, { perSecond: merchant.ratePerSecond ?? s.settings.jucaiMchRatePerSecond, perDay: null }, mch),
      ...s.quotas.windows(appScope, { perSecond: merchant.appRatePerSecond ?? s.settings.jucaiAppRatePerSecond, perDay: null }, appScope),
    ]);
    const { payer } = await s.payers.lookUp({
      merchant,
      app,
      wayCode: req.wayCode,
      authCode: req.authCode,
      mchOrderNo: req.mchOrderNo,
      subAppid: req.subAppid,
    });
    code = { code: 200, msg: '成功' };
    data = replyData(SUCCESS, req, merchant.isvNo, payer);
  } catch (err) {
    const failure = failureOf(err);
    call.result = resultOf(err, failure);
    if (!failure) {
      request.log.error({ err }, 'jucai: unexpected error');
      code = { code: 500, msg: `系统错误; request id ${request.id}` };
    } else if (failure.returnCode && req && merchant) {
      code = failure.reply;
      data = replyData(failure.returnCode, req, merchant.isvNo, NO_PAYER);
    } else {
      // The caller is told which channel failed; the log keeps where (the adapter's message names host and path).
      if (failure.reply.code === 502)
        request.log.warn({ err: { kind: (err as Error).name, message: (err as Error).message } }, 'jucai: channel unavailable');
      code = { code: failure.reply.code, msg: `${failure.reply.msg}: ${failure.detail}` };
    }
  }
  call.credential = app?.appId ?? null;
  call.outcome = data ? `${code.code}:${data.returnCode}` : String(code.code);
  return r
    .code(200)
    .header('content-type', 'application/json; charset=utf-8')
    .send(JSON.stringify(reply(code, data, signer)));
}

/** The request names its `sign` (narrowed in place: a copy of the request would be one more object a call). */
function isSigned(read: ReturnType<typeof readRequest>): read is Auth2OpenIdRequest {
  return read.sign !== undefined;
}

/** `identified`, for a merchant or an app that has to be read. */
async function identify(s: JucaiServices, req: Auth2OpenIdRequest): Promise<{ merchant: MerchantForCall; app: JucaiAppWithSecret }> {
  const merchant = await s.organization.findForCall(req.mchNo);
  return identified(req, merchant, merchant && (await s.apps.findForSigning(req.appId)));
}

/** The merchant and the app of the request: 404 when either is unknown or the app is not the merchant's, 403 when switched off. */
function identified(
  req: Auth2OpenIdRequest,
  merchant: MerchantForCall | undefined,
  app: JucaiAppWithSecret | undefined,
): { merchant: MerchantForCall; app: JucaiAppWithSecret } {
  if (!merchant) throw new NotFound('merchant', `no merchant ${req.mchNo}`);
  if (!app || app.mchRef !== merchant.id) throw new NotFound('app', `no app ${req.appId} of merchant ${req.mchNo}`);
  if (!merchant.isvEnabled) throw new Disabled(`the ISV ${merchant.isvNo} of merchant ${req.mchNo} is disabled`);
  if (!merchant.enabled) throw new Disabled(`merchant ${req.mchNo} is disabled`);
  if (!app.enabled) throw new Disabled(`app ${req.appId} is disabled`);
  return { merchant, app };
}

function checkSignature(ctx: FrontContext, req: Auth2OpenIdRequest, app: JucaiAppWithSecret): void {
  if (jucai.verify(req.signed, app.secret, req.sign)) return;
  const expected = signatureHint(ctx, () => jucai.stringToSign(req.signed, app.secret), app.secret);
  throw new InvalidSignature(
    `sign does not match: MD5 of the non-empty fields but sign as name=value, sorted case-insensitively, joined with &, then &key=<app secret>${expected === undefined ? '' : `; sandbox: the string to sign was ${expected}`}`,
  );
}
