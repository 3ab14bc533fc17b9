import type { OpenApiFragment } from '../kit/openapi.ts';

/** The 微厅 endpoints in the OpenAPI document, as weiting.md defines them. Documentation only. */

const TAG = 'weiting';
const TOKEN = {
  name: 'access_token',
  in: 'query',
  required: true,
  description: 'from /service/1.0/access/token',
  schema: { type: 'string' },
};
const REFUSED =
  'Every endpoint but the token\'s answers `{"status": 0, "errMsg": "access_token校验异常"}` for a missing, unknown, expired or disabled token, and does nothing else.';
const str = (description: string, extra: Record<string, unknown> = {}) => ({ type: 'string', description, ...extra });
const reply = (description: string, schema: Record<string, unknown>) => ({
  200: { description, content: { 'application/json': { schema } } },
});
const form = (schema: Record<string, unknown>) => ({
  required: true,
  description: 'form fields or one flat JSON object; a parameter may also come in the query string',
  content: { 'application/x-www-form-urlencoded': { schema }, 'application/json': { schema } },
});
const idempotencyKey = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description: '1–128 printable ASCII: a repeat within 24 h gets the first answer and does nothing again',
  schema: { type: 'string' },
};
const statusErr = (codes: string) => ({
  type: 'object',
  properties: { status: { type: 'integer', description: codes }, errMsg: { type: 'string' } },
});
const report = (required: string[], extra: Record<string, unknown>) => ({
  type: 'object',
  required,
  properties: {
    openid: str('the user'),
    deviceno: str('7–20 digits', { pattern: '^\\d{7,20}$' }),
    operators: str('optional'),
    qcellcore: str('optional'),
    channel: str("the partner's channel"),
    from: str('where the user came from'),
    ...extra,
  },
});
const dataReply = (success: string) => ({
  type: 'object',
  properties: {
    data: str(`${success}; on an error, what is wrong`),
    status: { type: 'integer', enum: [200, 0] },
    info: { type: 'integer', enum: [0] },
  },
});

export const weitingFrontOpenApi: OpenApiFragment = {
  tags: [{ name: TAG, description: `上海电信 微厅 open platform (weiting.md). ${REFUSED}` }],
  paths: {
    '/service/1.0/access/token': {
      get: {
        tags: [TAG],
        summary: 'An access token for appid + secret (7200 s; the previous one works 5 more minutes)',
        description:
          '`{"data": token, "status": 200, "info": 0}`. Wrong appid or secret, or a disabled app: `{"status": 40001, "errMsg": "appid 或 secret 错误"}`. Over the app\'s daily limit (the day turns at 00:00 China time): `{"status": 45009, "errMsg": "access_token 今日获取次数已达上限"}`.',
        security: [],
        parameters: [
          { name: 'appid', in: 'query', required: true, schema: { type: 'string' } },
          { name: 'secret', in: 'query', required: true, schema: { type: 'string' } },
        ],
        responses: reply('the token, or the refusal', {
          oneOf: [
            {
              type: 'object',
              properties: {
                data: str('the token: 43 URL-safe characters'),
                status: { type: 'integer', enum: [200] },
                info: { type: 'integer', enum: [0] },
              },
            },
            statusErr('40001 or 45009'),
          ],
        }),
      },
    },
    '/service/wxoauth/2.0/getBaseUrl': {
      post: {
        tags: [TAG],
        summary: 'Start a WeChat login: the WeChat authorize URL to send the user to',
        description:
          '`state` is the partner URL to come back to: http(s), on the app\'s allowed hosts, else `{"status": 40002, "errMsg": "state 地址不合法"}`. The login must come back within 10 minutes.',
        security: [],
        parameters: [TOKEN],
        requestBody: form({
          type: 'object',
          required: ['state'],
          properties: { state: str('the partner URL the user returns to, with ?code=… added') },
        }),
        responses: reply('the URL, or the refusal', {
          oneOf: [
            {
              type: 'object',
              properties: { status: { type: 'integer', enum: [200] }, redirect: str("WeChat's authorize URL, ending #wechat_redirect") },
            },
            statusErr('40002; 0 for the token'),
          ],
        }),
      },
    },
    '/service/wxoauth/2.0/wxcode': {
      get: {
        tags: [TAG],
        summary: 'WeChat sends the user here (not called by partners)',
        description:
          'Exchanges the WeChat code, records the user, and answers 302 to the partner URL with `code` added (its query and fragment kept). An unknown or expired login: an HTML page, 400; WeChat refusing the code or unreachable: an HTML page, 502.',
        security: [],
        parameters: [
          { name: 'code', in: 'query', required: true, schema: { type: 'string' } },
          { name: 'state', in: 'query', required: true, schema: { type: 'string' } },
        ],
        responses: {
          302: { description: 'back to the partner URL with code=…' },
          400: { description: 'HTML: the login link is unknown, used or expired, or WeChat sent no code' },
          502: { description: 'HTML: WeChat refused the code or could not be reached' },
        },
      },
    },
    '/service/wxoauth/2.0/getOpenidByCode': {
      post: {
        tags: [TAG],
        summary: 'The openid of the user a platform code stands for (5 minutes, once, for the app that started the login)',
        security: [],
        parameters: [TOKEN],
        requestBody: form({ type: 'object', required: ['code'], properties: { code: str('the code added to the partner URL') } }),
        responses: reply('the openid, or `{"status": 40005, "errMsg": "code 已过期"}`', {
          oneOf: [
            { type: 'object', properties: { status: { type: 'integer', enum: [200] }, openid: str('the user') } },
            statusErr('40005; 0 for the token'),
          ],
        }),
      },
    },
    '/service/1.0/user/info': {
      get: {
        tags: [TAG],
        summary: 'A user and their bound devices',
        description: 'Unknown openid: `{"result": null, "flag": 1}` (a malformed one adds errMsg).',
        security: [],
        parameters: [TOKEN, { name: 'openid', in: 'query', required: true, schema: { type: 'string' } }],
        responses: reply('the user', {
          type: 'object',
          properties: {
            flag: { type: 'integer', enum: [0, 1] },
            result: {
              type: ['object', 'null'],
              properties: {
                _id: str('24 hex digits'),
                openid: str(''),
                nickname: str(''),
                headimg: str(''),
                __v: { type: 'integer', enum: [0] },
                updateAt: str('ISO 8601'),
                createAt: str('ISO 8601'),
                accounts: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      deviceno: str(''),
                      devicename: str('手机, 固话, …'),
                      bindtime: str('yyyy-MM-dd HH:mm:ss, China time'),
                      bindtdate: str('the same (the seed has both)'),
                      bpn: str(''),
                      sort: str(''),
                    },
                  },
                },
              },
            },
          },
        }),
      },
    },
    '/service/1.0/sendPrizeNotice': {
      post: {
        tags: [TAG],
        summary: "Send a prize notice as the official account's template message",
        description:
          '`{"status": 200, "result": "发送成功"}` when WeChat accepted it; `{"status": 0, "result": "发送失败"}` when WeChat refused it (unsubscribed, bad openid), over the per-openid daily limit, or a parameter is wrong (errMsg names it); `{"status": 40005, "errMsg": "推送接口异常"}` when WeChat could not be reached. Every notice is recorded.',
        security: [],
        parameters: [TOKEN, idempotencyKey],
        requestBody: form({
          type: 'object',
          required: ['openid', 'first', 'activity', 'prize', 'remark'],
          properties: {
            openid: str('the user'),
            first: str('the heading'),
            activity: str('the activity'),
            prize: str('the prize'),
            remark: str('the closing line'),
            url: str('optional http(s) link of the message'),
          },
        }),
        responses: reply('the outcome', {
          type: 'object',
          properties: { status: { type: 'integer', enum: [200, 0, 40005] }, result: str('发送成功 / 发送失败'), errMsg: str('') },
        }),
      },
    },
    '/service/weekBind/create': {
      post: {
        tags: [TAG],
        summary: 'Report that a user logged in with a device (it is bound to them if it was not)',
        security: [],
        parameters: [TOKEN],
        requestBody: form(report(['openid', 'deviceno'], {})),
        responses: reply(
          '`{"data": "success", "status": 200, "info": 0}`, or `{"data": "<what is wrong>", "status": 0, "info": 0}`',
          dataReply('success'),
        ),
      },
    },
    '/service/flowOrders/create': {
      post: {
        tags: [TAG],
        summary: 'Report a data-plan order: answered with its order number',
        description: 'The number is unique and sorts by time; it is answered only once the order is durably recorded.',
        security: [],
        parameters: [TOKEN, idempotencyKey],
        requestBody: form(
          report(['openid', 'deviceno', 'traffic_package_name'], {
            traffic_package_name: str('the plan'),
            transaction_date: str('yyyy-MM-dd or yyyy-MM-dd HH:mm:ss'),
          }),
        ),
        responses: reply('`{"data": "<order number>", "status": 200, "info": 0}`, or the error', dataReply('the order number')),
      },
    },
    '/service/appOauthen/Ticket': {
      get: {
        tags: [TAG],
        summary: 'The mobile number an app quick-entry ticket stands for (5 minutes, once)',
        description:
          'No ticket: `{"errcode": 1, "data": {"mobile": "ticket必须给出"}}`. Unknown, used or expired: `{"errcode": 1, "data": "手机号码获取异常", "msg": {CAPRoot…}}`, `msg.CAPRoot.SessionHeader[0].Response[0].RspDesc[0]` saying which.',
        security: [],
        parameters: [TOKEN, { name: 'ticket', in: 'query', required: true, schema: { type: 'string' } }],
        responses: reply('the number, or why not', {
          type: 'object',
          properties: { errcode: { type: 'integer', enum: [0, 1] }, data: {}, msg: { type: 'object' } },
        }),
      },
    },
  },
};
