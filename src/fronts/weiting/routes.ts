import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Forbidden, InvalidInput, NotFound, UpstreamRejected, UpstreamUnavailable } from '../../kernel/errors.ts';
import { SLOWED_MESSAGE } from './domain/accessTokens.ts';
import { StateRefused } from './domain/loginBroker.ts';
import { bodyOf } from '../kit/bodies.ts';
import type { FrontPluginOptions } from '../kit/front.ts';
import { frontWire, resultOf, type WireCall } from '../kit/wire.ts';
import { type Failure, failureOf, INTERFACE_ERROR, KEY_REUSED, TOKEN_REFUSED } from './codes.ts';
import type { WeitingApp } from './domain/apps.ts';
import type { WeitingUser } from './domain/users.ts';
import { ERROR_PAGE_HEADERS, errorPage, type LoginError, partnerUrlWithError } from './pages.ts';
import {
  dateField,
  type Fields,
  idempotencyKey,
  openidField,
  postFields,
  queryFields,
  reportFields,
  required,
  webUrlField,
} from './params.ts';
import { weitingRefusal } from './refuse.ts';
import type {
  AccessTokenReply,
  BaseUrlReply,
  OpenidByCodeReply,
  PrizeNoticeFields,
  PrizeNoticeReply,
  ReportReply,
  TicketReply,
} from './wire.ts';
import { type Answer, json, marked, send, ticketDiagnostic, userInfoText } from './reply.ts';
import type { WeitingServices } from './services.ts';

/**
 * The 上海电信 微厅 open platform under `/service/`: an access token for `appid` + `secret`, then
 * `access_token` in the query of every other call, which is refused with the seed's universal
 * `{"status": 0, "errMsg": "access_token校验异常"}` (nothing else done) when it is missing, unknown,
 * expired or its app disabled. Each endpoint answers in its own seed shape; the login broker's
 * callback `wxcode` answers a browser (a redirect, or a small HTML page). A request is walked from
 * its route below to its handler (one named function per endpoint), which reads its fields
 * (params.ts), calls the domain, and answers (reply.ts); a failure goes through the one table
 * (codes.ts) to the endpoint's own failure shape.
 */
export async function weitingRoutes(app: FastifyInstance, { services, ctx, front }: FrontPluginOptions<WeitingServices>): Promise<void> {
  const wire = frontWire(app, ctx, { name: front.name, refuse: weitingRefusal });
  wire.route({
    method: 'GET',
    url: '/service/1.0/access/token',
    handler: (request, reply, call) => accessToken(services, request, reply, call),
  });
  for (const endpoint of TOKEN_ENDPOINTS) {
    wire.route({
      method: endpoint.method,
      url: endpoint.path,
      handler: (request, reply, call) => withAccessToken(services, endpoint, request, reply, call),
    });
  }
  wire.route({
    method: 'GET',
    url: '/service/wxoauth/2.0/wxcode',
    handler: (request, reply, call) => wxcode(services, request, reply, call),
  });
}

/** An endpoint called with an access token: what it does, and how it words a failure. */
interface TokenEndpoint {
  method: 'GET' | 'POST';
  path: string;
  /** An answer the process has at hand (a cached user) comes back as is, without a promise. */
  handle(s: WeitingServices, request: FastifyRequest, app: WeitingApp, query: Fields): Answer | Promise<Answer>;
  /** The endpoint's answer to a failure (undefined: kaifang's own), `message` naming what was wrong. */
  onFailure(failure: Failure | undefined, message: string): Answer;
}

const TOKEN_ENDPOINTS: readonly TokenEndpoint[] = [
  { method: 'POST', path: '/service/wxoauth/2.0/getBaseUrl', handle: getBaseUrl, onFailure: getBaseUrlFailure },
  { method: 'POST', path: '/service/wxoauth/2.0/getOpenidByCode', handle: getOpenidByCode, onFailure: getOpenidByCodeFailure },
  { method: 'GET', path: '/service/1.0/user/info', handle: userInfo, onFailure: userInfoFailure },
  { method: 'POST', path: '/service/1.0/sendPrizeNotice', handle: sendPrizeNotice, onFailure: sendPrizeNoticeFailure },
  { method: 'POST', path: '/service/weekBind/create', handle: weekBind, onFailure: reportFailure },
  { method: 'POST', path: '/service/flowOrders/create', handle: flowOrders, onFailure: reportFailure },
  { method: 'GET', path: '/service/appOauthen/Ticket', handle: appTicket, onFailure: () => json({ ...INTERFACE_ERROR }) },
];

/** `GET /service/1.0/access/token?appid=&secret=`: a token valid 7200 s (weiting.md). */
async function accessToken(s: WeitingServices, request: FastifyRequest, reply: FastifyReply, call: WireCall): Promise<FastifyReply> {
  let answer: Answer;
  try {
    const query = queryFields(request.url);
    call.credential = query.appid?.slice(0, 64) ?? null;
    const appid = query.appid ?? '';
    const secret = query.secret ?? '';
    if (appid === '' || secret === '') throw new InvalidInput(appid === '' ? 'appid' : 'secret', 'appid 或 secret 错误');
    const { token } = await s.accessTokens.issue(appid, secret, request.ip);
    answer = json({ data: token, status: 200, info: 0 } satisfies AccessTokenReply);
  } catch (err) {
    answer = accessTokenFailure(request, err);
    call.result = resultOf(err, failureOf(err));
  }
  call.outcome = answer.outcome;
  return send(reply, answer);
}

function accessTokenFailure(request: FastifyRequest, err: unknown): Answer {
  switch (failureOf(err)) {
    case 'input':
    case 'credentials':
      // Slowed after repeated wrong secrets from this address: the same status, saying why.
      return json({ status: 40001, errMsg: err instanceof Forbidden ? SLOWED_MESSAGE : 'appid 或 secret 错误' } satisfies AccessTokenReply);
    case 'limit':
      return json({ status: 45009, errMsg: 'access_token 今日获取次数已达上限' } satisfies AccessTokenReply);
    default:
      request.log.error({ err }, 'weiting: unexpected error');
      return json({ ...INTERFACE_ERROR });
  }
}

/**
 * Every endpoint but the token's: the access token first (refused with the seed's universal answer,
 * nothing else done), then the endpoint's handler; a failure in the endpoint's own shape.
 */
async function withAccessToken(
  s: WeitingServices,
  endpoint: TokenEndpoint,
  request: FastifyRequest,
  reply: FastifyReply,
  call: WireCall,
): Promise<FastifyReply> {
  let answer: Answer;
  let caller: WeitingApp | undefined;
  try {
    const query = queryFields(request.url);
    // Awaited only when something has to be read: an await costs a promise and a microtask turn,
    // and nearly every call finds its token, app and user in this process's caches.
    const cached = s.accessTokens.cachedAppOf(query.access_token);
    caller = cached ? cached.value : await s.accessTokens.appOf(query.access_token);
    if (caller) {
      const handled = endpoint.handle(s, request, caller, query);
      answer = handled instanceof Promise ? await handled : handled;
    } else answer = marked(json({ ...TOKEN_REFUSED }), 'refused');
  } catch (err) {
    const failure = failureOf(err);
    call.result = resultOf(err, failure);
    if (failure === undefined) request.log.error({ err }, 'weiting: unexpected error');
    else if (err instanceof UpstreamRejected)
      // The platform's own side refused (the official account's credentials, IP whitelist, permissions, quota, template): the operator must act.
      request.log.error(
        { wechat: { errcode: err.code, errmsg: err.upstreamMessage, reason: err.reason }, endpoint: endpoint.path },
        `weiting: WeChat refused the official account's call: ${err.code} ${err.upstreamMessage}`,
      );
    else if (err instanceof NotFound && err.what === 'officialAccount')
      request.log.error({ endpoint: endpoint.path }, `weiting: the official account is not set up: ${err.message}`);
    else if (failure === 'unavailable')
      request.log.warn({ err: { kind: (err as Error).name, message: (err as Error).message } }, 'weiting: upstream unavailable');
    // Before the token is known good, an unreadable query is still the token's refusal.
    answer = caller
      ? endpoint.onFailure(failure, (err as Error).message)
      : failure === undefined
        ? json({ ...INTERFACE_ERROR })
        : json({ ...TOKEN_REFUSED });
  }
  call.credential = caller?.appid ?? null;
  call.outcome = answer.outcome;
  if (answer.result) call.result = answer.result;
  return send(reply, answer);
}

/** `POST …/wxoauth/2.0/getBaseUrl` (`state`: the partner's URL to come back to): the WeChat authorize URL. */
async function getBaseUrl(s: WeitingServices, request: FastifyRequest, app: WeitingApp, query: Fields): Promise<Answer> {
  const state = postFields(bodyOf(request), query).state;
  if (!state) throw new InvalidInput('state', 'state 地址不合法');
  try {
    return json({ status: 200, redirect: await s.login.start(app, state) } satisfies BaseUrlReply);
  } catch (err) {
    if (!(err instanceof StateRefused)) throw err;
    // The wire keeps the seed's words; the log and the call log say what was refused, so the
    // integrator's first failure can be read (the host only: a path or query may carry anything).
    const why = stateRefusal(err);
    request.log.info(
      { appid: app.appid, refused: err.why, refusedHost: err.refusedHost, allowedHosts: err.allowedHosts },
      `weiting: getBaseUrl refused: ${why}`,
    );
    return json({ status: 40002, errMsg: 'state 地址不合法' }, boundedOutcome(`40002 ${why}`));
  }
}

/** What was wrong with a refused partner URL, in a line. */
function stateRefusal(err: StateRefused): string {
  const allowed = err.allowedHosts.length ? err.allowedHosts.join(',') : '(none)';
  switch (err.why) {
    case 'not-a-url':
      return 'not a URL';
    case 'scheme':
      return 'not http(s)';
    case 'userinfo':
      return 'a user:password in the URL';
    case 'host':
      return `host ${JSON.stringify(err.refusedHost?.slice(0, 100) ?? '')} not in the app's allowed hosts ${allowed.slice(0, 300)}`;
  }
}

/**
 * A call outcome naming what the caller sent is also a metrics label: the first distinct ones (per
 * process) are kept as they are, later ones by their code alone, so labels stay few.
 */
const seenOutcomes = new Set<string>();
function boundedOutcome(outcome: string): string {
  if (seenOutcomes.has(outcome)) return outcome;
  if (seenOutcomes.size >= 200) return outcome.split(' ')[0]!;
  seenOutcomes.add(outcome);
  return outcome;
}

function getBaseUrlFailure(failure: Failure | undefined): Answer {
  return failure === 'input' ? json({ status: 40002, errMsg: 'state 地址不合法' }) : json({ ...INTERFACE_ERROR });
}

/** `POST …/wxoauth/2.0/getOpenidByCode` (`code`: the platform code the partner got back): the openid, once. */
async function getOpenidByCode(s: WeitingServices, request: FastifyRequest, app: WeitingApp, query: Fields): Promise<Answer> {
  const code = postFields(bodyOf(request), query).code;
  if (!code) return marked(json({ status: 40005, errMsg: 'code 已过期' }), 'refused');
  return json({ status: 200, openid: await s.login.openidOf(app, code) } satisfies OpenidByCodeReply);
}

function getOpenidByCodeFailure(failure: Failure | undefined): Answer {
  return failure === undefined || failure === 'unavailable' ? json({ ...INTERFACE_ERROR }) : json({ status: 40005, errMsg: 'code 已过期' });
}

/** `GET /service/1.0/user/info?openid=`: the user and their bound devices, in the seed's shape. */
function userInfo(s: WeitingServices, _request: FastifyRequest, _app: WeitingApp, query: Fields): Answer | Promise<Answer> {
  const openid = openidField(query);
  const cached = s.users.cachedInfo(openid);
  return cached ? userInfoAnswer(cached.value) : s.users.info(openid).then(userInfoAnswer);
}

function userInfoAnswer(user: WeitingUser | undefined): Answer {
  return user ? { body: undefined, outcome: '0', text: userInfoText(user) } : json({ result: null, flag: 1 });
}

function userInfoFailure(failure: Failure | undefined, message: string): Answer {
  return failure === 'input' ? json({ result: null, flag: 1, errMsg: message }) : json({ ...INTERFACE_ERROR });
}

/** `POST /service/1.0/sendPrizeNotice`: the official account's template message to `openid`. */
async function sendPrizeNotice(s: WeitingServices, request: FastifyRequest, app: WeitingApp, query: Fields): Promise<Answer> {
  const fields = postFields(bodyOf(request), query);
  const openid = openidField(fields);
  const url = webUrlField(fields, 'url');
  const notice: PrizeNoticeFields = {
    openid,
    first: required(fields, 'first', 200),
    activity: required(fields, 'activity', 200),
    prize: required(fields, 'prize', 200),
    remark: required(fields, 'remark', 200),
    ...(url ? { url } : {}),
  };
  const sent = await s.notices.send(app, notice, idempotencyKey(request));
  return sent.outcome === 'sent'
    ? json({ status: 200, result: '发送成功' } satisfies PrizeNoticeReply)
    : marked(json({ status: 0, result: '发送失败' } satisfies PrizeNoticeReply, sent.outcome), 'refused');
}

function sendPrizeNoticeFailure(failure: Failure | undefined, message: string): Answer {
  if (failure === 'input') return json({ status: 0, result: '发送失败', errMsg: message });
  if (failure === 'conflict') return json({ status: 409, errMsg: KEY_REUSED });
  // WeChat unreachable, or a refusal of the platform's side (its credentials, IP whitelist, permissions,
  // quota, template): 推送接口异常. The user's side (not subscribed, a bad openid) is answered, not thrown.
  if (failure === 'unavailable' || failure === 'refused' || failure === undefined) return json({ status: 40005, errMsg: '推送接口异常' });
  return json({ status: 0, result: '发送失败' });
}

/** `POST /service/weekBind/create`: a login report, binding the device when it is new. */
async function weekBind(s: WeitingServices, request: FastifyRequest, app: WeitingApp, query: Fields): Promise<Answer> {
  await s.reports.login(app, reportFields(postFields(bodyOf(request), query), []));
  return json({ data: 'success', status: 200, info: 0 } satisfies ReportReply);
}

/** `POST /service/flowOrders/create`: a data-plan order; its number (the same again for a repeated Idempotency-Key). */
async function flowOrders(s: WeitingServices, request: FastifyRequest, app: WeitingApp, query: Fields): Promise<Answer> {
  const raw = postFields(bodyOf(request), query);
  const fields = reportFields(raw, ['traffic_package_name', 'transaction_date']);
  if (!fields.traffic_package_name?.trim()) throw new InvalidInput('traffic_package_name', 'traffic_package_name is required');
  dateField(raw, 'transaction_date');
  return json({ data: await s.reports.order(app, fields, idempotencyKey(request)), status: 200, info: 0 } satisfies ReportReply);
}

function reportFailure(failure: Failure | undefined, message: string): Answer {
  if (failure === 'conflict') return json({ data: KEY_REUSED, status: 409, info: 0 });
  return json({ data: failure === 'input' ? message : '接口异常，请稍后再试', status: 0, info: 0 });
}

/** `GET /service/appOauthen/Ticket?ticket=`: the mobile number an app ticket stands for, once. */
async function appTicket(s: WeitingServices, request: FastifyRequest, _app: WeitingApp, query: Fields): Promise<Answer> {
  const ticket = query.ticket ?? '';
  if (ticket === '') return marked(json({ errcode: 1, data: { mobile: 'ticket必须给出' } }), 'refused');
  const got = await s.tickets.redeem(ticket);
  if ('mobile' in got) return json({ errcode: 0, data: { mobile: got.mobile } } satisfies TicketReply);
  return marked(
    json({ errcode: 1, data: '手机号码获取异常', msg: ticketDiagnostic(got.failure, s.clock.now(), request.id) }, `1:${got.failure}`),
    'refused',
  );
}

/**
 * `GET /service/wxoauth/2.0/wxcode`: WeChat's redirect back after the person approved (or not).
 * The broker exchanges the code and sends the browser on to the partner's URL with a platform
 * code. What cannot go on is a small page in Chinese (400: the link; 502: WeChat), with the request
 * id, and a 返回 link to the partner's URL carrying `error` (never a code) whenever kaifang knows
 * that URL: the login link is single use, so only the partner can start a new one.
 */
async function wxcode(s: WeitingServices, request: FastifyRequest, reply: FastifyReply, call: WireCall): Promise<FastifyReply> {
  const page = (status: 400 | 502, title: string, detail: string, partnerUrl?: string, error?: LoginError) => {
    call.outcome = error ? `${status}:${error}` : String(status);
    if (status === 400) call.result = 'refused';
    const back = partnerUrl && error ? partnerUrlWithError(partnerUrl, error) : undefined;
    return reply
      .code(status)
      .headers(ERROR_PAGE_HEADERS)
      .header('content-type', 'text/html; charset=utf-8')
      .send(errorPage({ title, detail, back, requestId: request.id }));
  };
  let query: Fields;
  try {
    query = queryFields(request.url);
  } catch {
    return page(400, '登录链接无效', '这个登录链接无法读取，登录不能继续。请回到原来的页面重新登录。');
  }
  if (!query.state) return page(400, '登录链接无效', '这个登录链接缺少登录信息，登录不能继续。请回到原来的页面重新登录。');
  if (!query.code) {
    // WeChat comes back without a code when the person refused: the login is over, the partner is told.
    const partnerUrl = await s.login.refused(query.state);
    return page(400, '未获得微信授权', '您没有同意微信授权，登录已取消。', partnerUrl, 'access_denied');
  }
  const end = await s.login.complete(query.state, query.code);
  if ('location' in end) {
    call.outcome = '302';
    return reply
      .code(302)
      .header('location', end.location)
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .send();
  }
  const err = end.failure;
  const failure = failureOf(err);
  if (failure === 'expired' || failure === 'input')
    return page(400, '登录链接已失效', '这个登录链接已经用过，或已超过 10 分钟。请返回后重新登录。', end.partnerUrl, 'login_expired');
  const temporary =
    err instanceof UpstreamUnavailable || (err instanceof UpstreamRejected && (err.reason === 'busy' || err.reason === 'rate-limited'));
  const platformSide =
    failure === undefined ||
    (err instanceof UpstreamRejected && err.reason === 'bad-credentials') ||
    (err instanceof NotFound && err.what === 'officialAccount');
  // The platform's side: its WeChat credentials refused (upstream), or no official account set up (kaifang's own).
  call.result = platformSide && !(err instanceof UpstreamRejected) ? 'error' : resultOf(err, failure);
  if (failure === undefined) request.log.error({ err }, 'weiting: unexpected error');
  else if (platformSide)
    request.log.error(
      err instanceof UpstreamRejected
        ? { wechat: { errcode: err.code, errmsg: err.upstreamMessage, reason: err.reason } }
        : { err: { kind: (err as Error).name, message: (err as Error).message } },
      "weiting: the WeChat login failed on the platform's side",
    );
  else request.log.warn({ err: { kind: (err as Error).name, message: (err as Error).message } }, 'weiting: WeChat login failed');
  if (temporary)
    // WeChat's -1 (system busy), its frequency limit, no answer: nobody refused anything; later it may work.
    return page(
      502,
      '微信暂时繁忙',
      '微信暂时没能完成登录（系统繁忙或网络不通），这不是您的操作问题。请稍后返回重新登录。',
      end.partnerUrl,
      'temporarily_unavailable',
    );
  return page(502, '微信登录失败', '微信没有确认这次登录。请返回后重新登录。', end.partnerUrl, 'server_error');
}
