import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatCompact, formatDateTime, parseDateTime } from '../../kernel/cst.ts';
import { InvalidInput } from '../../kernel/errors.ts';
import type { WeitingApp } from './domain/apps.ts';
import type { TicketFailure } from './domain/tickets.ts';
import { DEVICENO_PATTERN, OPENID_PATTERN, type WeitingUser } from './domain/users.ts';
import { bodyOf, useFrontBodyParsers } from '../kit/bodies.ts';
import type { FrontPluginOptions } from '../kit/front.ts';
import { answerRefusals, refuseOtherMethods } from '../kit/refusals.ts';
import { failureOf, INTERFACE_ERROR, TOKEN_REFUSED, type Failure } from './codes.ts';
import { errorPage } from './pages.ts';
import { optional, postFields, queryFields, required, type Fields } from './params.ts';
import type { WeitingServices } from './services.ts';

/** A reply body and the outcome the metrics and call log record; `text` when the body is already JSON text. */
type Answer = { body: unknown; outcome: string; text?: string };
type Handler = (s: WeitingServices, request: FastifyRequest, app: WeitingApp, query: Fields) => Promise<Answer>;

/** A JSON answer and the outcome the metrics and call log record for it. */
const json = (
  body: Record<string, unknown>,
  outcome: string | number = String(body.status ?? body.errcode ?? body.flag ?? ''),
): Answer => ({ body, outcome: String(outcome) });

/** An http(s) URL with a host, no whitespace or control characters, well-formed Unicode (it goes to WeChat as JSON). */
function isWebUrl(text: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this pattern is for
  if (!/^https?:\/\/[^\x00-\x20\x7f]+$/.test(text) || /\p{Cs}/u.test(text)) return false;
  try {
    return new URL(text).hostname !== '';
  } catch {
    return false;
  }
}
const DATE = /^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?$/;

/** weekBind / flowOrders fields: `openid` and `deviceno` always, and what each adds. */
function reportFields(fields: Fields, extra: readonly string[]): Record<string, string> & { openid: string; deviceno: string } {
  const openid = required(fields, 'openid', 64);
  if (!OPENID_PATTERN.test(openid)) throw new InvalidInput('openid', 'openid must be 6–64 letters, digits, _ or -');
  const deviceno = required(fields, 'deviceno', 20);
  if (!DEVICENO_PATTERN.test(deviceno)) throw new InvalidInput('deviceno', 'deviceno must be 7–20 digits');
  const out: Record<string, string> & { openid: string; deviceno: string } = { openid, deviceno };
  for (const name of ['operators', 'qcellcore', 'channel', 'from', ...extra]) {
    const value = optional(fields, name, 128);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/**
 * The JSON text of a user's `user/info` reply, kept beside the core's cached user object: the
 * hot read is served from the cache, and rendering the same user again (ten China-time strings and
 * a stringify) was most of what was left of its cost. A changed user is a new object, so a new text.
 */
const renderedUsers = new WeakMap<WeitingUser, string>();
function userInfoText(user: WeitingUser): string {
  let text = renderedUsers.get(user);
  if (text === undefined) {
    text = JSON.stringify({ result: presentUser(user), flag: 0 });
    renderedUsers.set(user, text);
  }
  return text;
}

/** The seed's `user/info` result. */
function presentUser(user: WeitingUser) {
  return {
    _id: user.publicId,
    openid: user.openid,
    nickname: user.nickname,
    headimg: user.headimg,
    __v: 0,
    updateAt: new Date(user.updatedAt).toISOString(),
    createAt: new Date(user.createdAt).toISOString(),
    accounts: user.accounts.map((a) => ({
      deviceno: a.deviceno,
      devicename: a.devicename,
      bindtime: formatDateTime(a.boundAt),
      bindtdate: formatDateTime(a.boundAt),
      bpn: a.bpn,
      sort: a.sort,
    })),
  };
}

/** The seed's nested diagnostic of a ticket that gave no number (`CAPRoot…RspDesc` says why). */
function ticketDiagnostic(failure: TicketFailure, now: number, requestId: string) {
  const why: Record<TicketFailure, [string, string]> = {
    unknown: ['1992', '根据ticket查询网站注册用户信息为空!'],
    used: ['1993', 'ticket已使用'],
    expired: ['1994', 'ticket已过期'],
  };
  const [code, desc] = why[failure];
  return {
    CAPRoot: {
      SessionHeader: [
        {
          TransactionID: [requestId.replace(/-/g, '').slice(0, 25)],
          ActionCode: ['1'],
          RspTime: [formatCompact(now)],
          Response: [{ RspType: ['1'], RspCode: [code], RspDesc: [desc] }],
        },
      ],
    },
  };
}

/** Each endpoint after the access token: parse, call the core, answer in the seed's shape (the failure table: codes.ts). */
const ENDPOINTS: { method: 'GET' | 'POST'; path: string; handle: Handler; onFailure: (failure: Failure, message: string) => Answer }[] = [
  {
    method: 'POST',
    path: '/service/wxoauth/2.0/getBaseUrl',
    async handle(s, request, app, query) {
      const state = postFields(bodyOf(request), query).state;
      if (!state) throw new InvalidInput('state', 'state 地址不合法');
      return json({ status: 200, redirect: await s.login.start(app, state) });
    },
    onFailure: (f) => (f === 'input' ? json({ status: 40002, errMsg: 'state 地址不合法' }) : json({ ...INTERFACE_ERROR })),
  },
  {
    method: 'POST',
    path: '/service/wxoauth/2.0/getOpenidByCode',
    async handle(s, request, app, query) {
      const code = postFields(bodyOf(request), query).code;
      if (!code) return json({ status: 40005, errMsg: 'code 已过期' });
      return json({ status: 200, openid: await s.login.openidOf(app, code) });
    },
    onFailure: (f) =>
      f === 'internal' || f === 'unavailable' ? json({ ...INTERFACE_ERROR }) : json({ status: 40005, errMsg: 'code 已过期' }),
  },
  {
    method: 'GET',
    path: '/service/1.0/user/info',
    async handle(s, _request, _app, query) {
      const openid = query.openid ?? '';
      if (!OPENID_PATTERN.test(openid))
        return json({
          result: null,
          flag: 1,
          errMsg: openid === '' ? 'openid is required' : 'openid must be 6–64 letters, digits, _ or -',
        });
      const user = await s.users.info(openid);
      return user ? { body: undefined, outcome: '0', text: userInfoText(user) } : json({ result: null, flag: 1 });
    },
    onFailure: (f, message) => (f === 'input' ? json({ result: null, flag: 1, errMsg: message }) : json({ ...INTERFACE_ERROR })),
  },
  {
    method: 'POST',
    path: '/service/1.0/sendPrizeNotice',
    async handle(s, request, app, query) {
      const fields = postFields(bodyOf(request), query);
      const openid = required(fields, 'openid', 64);
      if (!OPENID_PATTERN.test(openid)) throw new InvalidInput('openid', 'openid must be 6–64 letters, digits, _ or -');
      const url = optional(fields, 'url', 1024);
      if (url !== undefined && !isWebUrl(url)) throw new InvalidInput('url', 'url must be an http(s) URL');
      const notice = {
        openid,
        first: required(fields, 'first', 200),
        activity: required(fields, 'activity', 200),
        prize: required(fields, 'prize', 200),
        remark: required(fields, 'remark', 200),
        ...(url ? { url } : {}),
      };
      const key = idempotencyKey(request);
      const sent = await s.notices.send(app, notice, key);
      return sent.outcome === 'sent' ? json({ status: 200, result: '发送成功' }) : json({ status: 0, result: '发送失败' }, sent.outcome);
    },
    onFailure: (f, message) =>
      f === 'input'
        ? json({ status: 0, result: '发送失败', errMsg: message })
        : f === 'unavailable' || f === 'internal'
          ? json({ status: 40005, errMsg: '推送接口异常' })
          : json({ status: 0, result: '发送失败' }),
  },
  {
    method: 'POST',
    path: '/service/weekBind/create',
    async handle(s, request, app, query) {
      await s.reports.login(app, reportFields(postFields(bodyOf(request), query), []));
      return json({ data: 'success', status: 200, info: 0 });
    },
    onFailure: (f, message) => json({ data: f === 'input' ? message : '接口异常，请稍后再试', status: 0, info: 0 }),
  },
  {
    method: 'POST',
    path: '/service/flowOrders/create',
    async handle(s, request, app, query) {
      const fields = reportFields(postFields(bodyOf(request), query), ['traffic_package_name', 'transaction_date']);
      if (!fields.traffic_package_name?.trim()) throw new InvalidInput('traffic_package_name', 'traffic_package_name is required');
      if (fields.transaction_date !== undefined && (!DATE.test(fields.transaction_date) || parseDateTime(fields.transaction_date) === null))
        throw new InvalidInput('transaction_date', 'transaction_date must be yyyy-MM-dd or yyyy-MM-dd HH:mm:ss');
      return json({ data: await s.reports.order(app, fields, idempotencyKey(request)), status: 200, info: 0 });
    },
    onFailure: (f, message) => json({ data: f === 'input' ? message : '接口异常，请稍后再试', status: 0, info: 0 }),
  },
  {
    method: 'GET',
    path: '/service/appOauthen/Ticket',
    async handle(s, request, _app, query) {
      const ticket = query.ticket ?? '';
      if (ticket === '') return json({ errcode: 1, data: { mobile: 'ticket必须给出' } });
      const got = await s.tickets.redeem(ticket);
      if ('mobile' in got) return json({ errcode: 0, data: { mobile: got.mobile } });
      return json(
        { errcode: 1, data: '手机号码获取异常', msg: ticketDiagnostic(got.failure, s.clock.now(), request.id) },
        `1:${got.failure}`,
      );
    },
    onFailure: () => json({ ...INTERFACE_ERROR }),
  },
];

/** An `Idempotency-Key` header, when sent: 1–128 printable ASCII. */
function idempotencyKey(request: FastifyRequest): string | undefined {
  const key = request.headers['idempotency-key'];
  if (key === undefined) return undefined;
  if (typeof key !== 'string' || !/^[\x21-\x7e]{1,128}$/.test(key))
    throw new InvalidInput('Idempotency-Key', 'the Idempotency-Key header must be 1–128 printable ASCII characters');
  return key;
}

/**
 * The 上海电信 微厅 open platform under `/service/`: an access token for `appid` + `secret`, then
 * `access_token` in the query of every other call, which is refused with the seed's universal
 * `{"status": 0, "errMsg": "access_token校验异常"}` (nothing else done) when it is missing, unknown,
 * expired or its app disabled. Each endpoint answers in its own seed shape; the login broker's
 * callback `wxcode` answers a browser (a redirect, or a small HTML page).
 */
export async function weitingRoutes(app: FastifyInstance, { services: s, ctx }: FrontPluginOptions<WeitingServices>): Promise<void> {
  useFrontBodyParsers(app);
  const send = (reply: FastifyReply, body: unknown, status = 200, text?: string) =>
    reply
      .code(status)
      .header('content-type', 'application/json; charset=utf-8')
      .send(text ?? JSON.stringify(body));
  const observe = (request: FastifyRequest, endpoint: string, startedAt: bigint, credential: string | null, outcome: string) =>
    ctx.observe({ front: 'weiting', endpoint, credential, outcome, startedAt, requestId: request.id });

  // The HTTP layer's refusals (a body too large or unreadable, a Content-Type nobody can parse) keep
  // their 4xx status in the seed's error shape; a failure of kaifang's own is the seed's 40005.
  answerRefusals(app, ctx, (refusal, _request, reply) =>
    refusal.unexpected ? send(reply, INTERFACE_ERROR) : send(reply, { status: 0, errMsg: refusal.message }, refusal.status),
  );

  app.get('/service/1.0/access/token', { exposeHeadRoute: false }, async (request, reply) => {
    const startedAt = process.hrtime.bigint();
    let answer: Answer;
    let query: Fields = {};
    try {
      query = queryFields(request.url);
      const appid = query.appid ?? '';
      const secret = query.secret ?? '';
      if (appid === '' || secret === '') throw new InvalidInput(appid === '' ? 'appid' : 'secret', 'appid 或 secret 错误');
      const { token } = await s.accessTokens.issue(appid, secret);
      answer = json({ data: token, status: 200, info: 0 });
    } catch (err) {
      answer = tokenFailure(request, err);
    }
    observe(request, '/service/1.0/access/token', startedAt, query.appid?.slice(0, 64) ?? null, answer.outcome);
    return send(reply, answer.body);
  });

  const wrongMethod = (method: string, path: string) => (_request: FastifyRequest, reply: FastifyReply) =>
    send(reply, { status: 0, errMsg: `${path} takes ${method}` }, 405);
  refuseOtherMethods(app, '/service/1.0/access/token', ['GET'], wrongMethod('GET', '/service/1.0/access/token'));
  refuseOtherMethods(app, '/service/wxoauth/2.0/wxcode', ['GET'], wrongMethod('GET', '/service/wxoauth/2.0/wxcode'));
  for (const endpoint of ENDPOINTS) {
    refuseOtherMethods(app, endpoint.path, [endpoint.method], wrongMethod(endpoint.method, endpoint.path));
    app.route({
      method: endpoint.method,
      url: endpoint.path,
      exposeHeadRoute: false,
      handler: async (request, reply) => {
        const startedAt = process.hrtime.bigint();
        let answer: Answer;
        let caller: WeitingApp | undefined;
        try {
          const query = queryFields(request.url);
          caller = await s.accessTokens.appOf(query.access_token);
          answer = caller ? await endpoint.handle(s, request, caller, query) : json({ ...TOKEN_REFUSED });
        } catch (err) {
          const failure = failureOf(err);
          if (failure === 'internal') request.log.error({ err }, 'weiting: unexpected error');
          else if (failure === 'unavailable')
            request.log.warn({ err: { kind: (err as Error).name, message: (err as Error).message } }, 'weiting: upstream unavailable');
          // Before the token is known good, an unreadable query is still the token's refusal.
          answer = caller
            ? endpoint.onFailure(failure, (err as Error).message)
            : failure === 'internal'
              ? json({ ...INTERFACE_ERROR })
              : json({ ...TOKEN_REFUSED });
        }
        observe(request, endpoint.path, startedAt, caller?.appid ?? null, answer.outcome);
        return send(reply, answer.body, 200, answer.text);
      },
    });
  }

  app.get('/service/wxoauth/2.0/wxcode', { exposeHeadRoute: false }, async (request, reply) => {
    const startedAt = process.hrtime.bigint();
    const page = (status: number, title: string, detail: string) => {
      observe(request, '/service/wxoauth/2.0/wxcode', startedAt, null, String(status));
      return reply.code(status).header('content-type', 'text/html; charset=utf-8').send(errorPage(title, detail));
    };
    try {
      const query = queryFields(request.url);
      if (!query.state) return page(400, '登录链接无效', "The login link has no state: start the login again from the partner's page.");
      if (!query.code)
        return page(
          400,
          '未获得微信授权',
          "WeChat sent no code (the login was refused or cancelled): start again from the partner's page.",
        );
      const back = await s.login.complete(query.state, query.code);
      observe(request, '/service/wxoauth/2.0/wxcode', startedAt, null, '302');
      return reply.code(302).header('location', back).header('cache-control', 'no-store').send();
    } catch (err) {
      const failure = failureOf(err);
      if (failure === 'expired' || failure === 'input')
        return page(
          400,
          '登录链接已失效',
          "This login link is unknown, was used, or is older than 10 minutes: start the login again from the partner's page.",
        );
      if (failure === 'internal') request.log.error({ err }, 'weiting: unexpected error');
      else request.log.warn({ err: { kind: (err as Error).name, message: (err as Error).message } }, 'weiting: WeChat login failed');
      return page(
        502,
        '微信登录失败',
        failure === 'refused'
          ? 'WeChat did not accept the login code: start the login again.'
          : 'WeChat could not be reached: try again in a moment.',
      );
    }
  });

  function tokenFailure(request: FastifyRequest, err: unknown): Answer {
    switch (failureOf(err)) {
      case 'input':
      case 'credentials':
        return json({ status: 40001, errMsg: 'appid 或 secret 错误' });
      case 'limit':
        return json({ status: 45009, errMsg: 'access_token 今日获取次数已达上限' });
      default:
        request.log.error({ err }, 'weiting: unexpected error');
        return json({ ...INTERFACE_ERROR });
    }
  }
}
