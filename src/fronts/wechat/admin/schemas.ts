/** JSON schemas of `/admin/api/wechat`: the routes validate with them and the OpenAPI document is built from them. */

const appid = { type: 'string', description: 'the WeChat appid', examples: ['wx1234567890abcdef'] };
export const appParams = { type: 'object', properties: { appid }, required: ['appid'] };
const name = { type: 'string', description: '1–100 characters' };
const secret = { type: 'string', description: 'the AppSecret (8–128 printable ASCII, no spaces); stored encrypted, never shown' };

export const createMiniappBody = {
  type: 'object',
  properties: {
    appid: { type: 'string', description: '"wx" followed by 16 letters or digits', examples: ['wx1234567890abcdef'] },
    secret,
    name: { ...name, description: '1–100 characters; default the appid' },
  },
  required: ['appid', 'secret'],
  additionalProperties: false,
};
export const secretBody = { type: 'object', properties: { secret }, required: ['secret'], additionalProperties: false };
export const updateMiniappBody = { type: 'object', properties: { name }, minProperties: 1, additionalProperties: false };

export const miniappView = {
  type: 'object',
  description: 'A WeChat mini-program whose AppSecret the platform holds (never shown).',
  properties: {
    appid: { type: 'string', examples: ['wx1234567890abcdef'] },
    name: { type: 'string' },
    status: { type: 'string', enum: ['enabled', 'disabled'], description: 'a disabled mini-program cannot be used by WXA_Code2Session' },
    createdAt: { type: 'string', format: 'date-time', description: 'ISO 8601, UTC' },
    updatedAt: { type: 'string', format: 'date-time', description: 'ISO 8601, UTC' },
  },
};

export const payMerchantParams = {
  type: 'object',
  properties: { mchId: { type: 'string', description: 'the WeChat Pay merchant number', examples: ['1900000109'] } },
  required: ['mchId'],
};
const payKey = { type: 'string', description: 'the API v2 key (32 characters, set on pay.weixin.qq.com); stored encrypted, never shown' };
export const createPayMerchantBody = {
  type: 'object',
  properties: {
    mchId: { type: 'string', description: 'the WeChat Pay merchant number (service provider)', examples: ['1900000109'] },
    appid: { type: 'string', description: 'the appid it pays under ("wx" and 16 letters or digits)' },
    secret: payKey,
    key: { type: 'string', description: 'the older name of `secret` (deprecated); not both' },
    name: { ...name, description: '1–100 characters; default the mchId' },
  },
  required: ['mchId', 'appid'],
  additionalProperties: false,
};
export const payMerchantKeyBody = { type: 'object', properties: { key: payKey }, required: ['key'], additionalProperties: false };
export const updatePayMerchantBody = {
  type: 'object',
  properties: { name, appid: { type: 'string' } },
  minProperties: 1,
  additionalProperties: false,
};

export const payMerchantView = {
  type: 'object',
  description: 'A WeChat Pay merchant whose API v2 key the platform holds (never shown).',
  properties: {
    mchId: { type: 'string' },
    appid: { type: 'string' },
    name: { type: 'string' },
    status: {
      type: 'string',
      enum: ['enabled', 'disabled'],
      description: 'a disabled merchant makes its jucai channels answer CHANNEL_NOT_CONFIGURED',
    },
    createdAt: { type: 'string', format: 'date-time', description: 'ISO 8601, UTC' },
    updatedAt: { type: 'string', format: 'date-time', description: 'ISO 8601, UTC' },
  },
};

const keywords = {
  type: 'object',
  description: 'which template keyword carries each field of a prize notice; default first, keyword1, keyword2, remark',
  properties: { first: { type: 'string' }, activity: { type: 'string' }, prize: { type: 'string' }, remark: { type: 'string' } },
  additionalProperties: false,
};
const templateId = { type: ['string', 'null'], description: 'the prize-notice template id (mp.weixin.qq.com); null = none' };
export const createOfficialAccountBody = {
  type: 'object',
  properties: {
    appid: { type: 'string', description: '"wx" followed by 16 letters or digits' },
    secret,
    name: { ...name, description: '1–100 characters; default the appid' },
    prizeTemplateId: templateId,
    prizeKeywords: keywords,
  },
  required: ['appid', 'secret'],
  additionalProperties: false,
};
export const updateOfficialAccountBody = {
  type: 'object',
  properties: { name, prizeTemplateId: templateId, prizeKeywords: keywords },
  minProperties: 1,
  additionalProperties: false,
};
export const officialAccountView = {
  type: 'object',
  description: 'An official account whose AppSecret the platform holds (never shown).',
  properties: {
    appid: { type: 'string' },
    name: { type: 'string' },
    status: { type: 'string', enum: ['enabled', 'disabled'] },
    prizeTemplateId: { type: ['string', 'null'] },
    prizeKeywords: keywords,
    createdAt: { type: 'string', format: 'date-time', description: 'ISO 8601, UTC' },
    updatedAt: { type: 'string', format: 'date-time', description: 'ISO 8601, UTC' },
  },
};
