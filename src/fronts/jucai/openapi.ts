import type { OpenApiFragment } from '../kit/openapi.ts';

/** The 巨彩商服 `auth2OpenId` in the OpenAPI document, as jucai.md defines it. Documentation only. */

const str = (description: string, extra: Record<string, unknown> = {}) => ({ type: 'string', description, ...extra });

const request = {
  type: 'object',
  description: 'One flat JSON object. Extra top-level fields (reqTime, signType, …) are allowed (text, numbers, booleans) and signed too.',
  required: ['sign', 'termId', 'mchNo', 'appId', 'mchOrderNo', 'wayCode', 'authCode', 'clientIp'],
  properties: {
    version: str('default 1.0; only 1.0 is served', { examples: ['1.0'] }),
    sign: str(
      "MD5 (hex, any case) of JeepayKit.getSign's string: the non-empty fields but sign as name=value& (a number as its JSON text), sorted as whole strings case-insensitively, concatenated, then key=<app secret>",
    ),
    termId: str('terminal id, 1–32 characters; 88888888 when there is no real terminal', { examples: ['12345678'] }),
    mchNo: str('merchant number', { examples: ['MCH_I293975931'] }),
    appId: str("the merchant's app id", { examples: ['MCH_A698612520'] }),
    mchOrderNo: str('merchant order number: 5–30 letters, digits or _', { pattern: '^[A-Za-z0-9_]{5,30}$' }),
    wayCode: { type: 'string', enum: ['WECHAT', 'UNIONPAY'] },
    authCode: str("WECHAT: the payer's payment code (18 digits starting 10–15); UNIONPAY: the user-auth code"),
    clientIp: str("the terminal's IPv4 or IPv6 address", { examples: ['127.0.0.1'] }),
    subAppid: str(
      'WECHAT: the sub-merchant\'s official-account appid; UNIONPAY: empty or the payer app\'s UnionPay identifier (e.g. "UnionPay/1.0 CloudPay")',
    ),
  },
};

const data = {
  type: ['object', 'null'],
  properties: {
    returnCode: {
      type: 'string',
      enum: ['000000', 'AUTHCODE_INVALID', 'AUTHCODE_EXPIRE', 'CHANNEL_NOT_CONFIGURED', 'SYSTEM_ERROR', 'CHANNEL_ERROR'],
    },
    returnMsg: { type: 'string' },
    termId: { type: 'string' },
    randomStr: { type: 'string', description: '32 uppercase letters and digits' },
    orgId: { type: 'string', description: 'the ISV number' },
    mchNo: { type: 'string' },
    mchOrderNo: { type: 'string' },
    appid: { type: 'string', description: 'WECHAT: the WeChat appid the openid belongs to; UNIONPAY: empty' },
    openid: { type: 'string', description: "WECHAT: the payer's openid; UNIONPAY: the payer's UnionPay user id" },
    subAppid: { type: 'string' },
    subOpenid: { type: 'string' },
  },
};

const codeTable = [
  '| code | msg | when |',
  '| --- | --- | --- |',
  '| 200 | 成功 | processed: see data.returnCode (000000 success; AUTHCODE_INVALID, AUTHCODE_EXPIRE, CHANNEL_NOT_CONFIGURED, SYSTEM_ERROR, CHANNEL_ERROR) |',
  '| 400 | 参数错误: … | a field missing or malformed (named), JSON unreadable or nested, a body that is not JSON, an unknown version, a signType other than MD5 |',
  '| 401 | 签名错误: … | sign missing or wrong |',
  '| 403 | 商户或应用已停用: … | the merchant, the app or its ISV is disabled |',
  "| 404 | 商户或应用不存在: … | unknown mchNo or appId, or the app is not the merchant's |",
  '| 409 | 商户订单号重复: … | the mchOrderNo was used by this merchant for another wayCode, authCode or subAppid (within KAIFANG_JUCAI_IDEMPOTENCY_HOURS) |',
  "| 429 | 请求过于频繁: … | over the merchant's or the app's calls per second |",
  '| 500 | 系统错误 | unexpected; logged with the request id |',
  '| 502 | 通道异常: … | the channel (named, never its URL) timed out, could not be reached, or answered something unusable |',
].join('\n');

export const jucaiFrontOpenApi: OpenApiFragment = {
  tags: [{ name: 'jucai', description: '巨彩商服 payment identity API (jucai.md): payment authorization code → payer identity.' }],
  paths: {
    '/pay/api/1.0/auth2OpenId': {
      post: {
        tags: ['jucai'],
        summary: 'Payment authorization code → WeChat openid / UnionPay user id',
        description: `HTTP 200 with {code, msg, data, sign} for every request that reaches the endpoint (another path is 404, another method 405, a body over the limit 413, in the same shape). The same mchNo + mchOrderNo + wayCode + authCode + subAppid again gets the first answer without a second channel call. data only for a processed request (code 200), and sign (over data's non-empty fields, with the app secret) exactly when there is data, as the Jeepay SDK's checkSign reads it.\n\n${codeTable}`,
        security: [],
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/JucaiRequest' } } } },
        responses: {
          200: {
            description: 'the reply',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['code', 'msg', 'data'],
                  properties: {
                    code: { type: 'integer' },
                    msg: { type: 'string' },
                    data: { $ref: '#/components/schemas/JucaiReplyData' },
                    sign: { type: 'string' },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
  components: { schemas: { JucaiRequest: request, JucaiReplyData: data } },
};
