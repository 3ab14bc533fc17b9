import { listQuery } from '../../kit/adminValidation.ts';
import { LIMITS } from '../../../kernel/validation.ts';

/**
 * JSON schemas of `/admin/api/jucai`: the routes validate with them and the OpenAPI document is
 * built from them. The core checks the finer rules (patterns) and names the field itself.
 */

const name = { type: 'string', description: '1–100 characters' };
const rate = (what: string) => ({
  type: ['integer', 'null'],
  minimum: 1,
  maximum: LIMITS.ratePerSecond,
  description: `${what}; null = the deployment default`,
});

export const isvParams = { type: 'object', properties: { isvNo: { type: 'string', examples: ['ISV_I232767463'] } }, required: ['isvNo'] };
export const mchParams = { type: 'object', properties: { mchNo: { type: 'string', examples: ['MCH_I293975931'] } }, required: ['mchNo'] };
export const channelParams = {
  type: 'object',
  properties: { mchNo: { type: 'string' }, wayCode: { type: 'string', enum: ['WECHAT', 'UNIONPAY'] } },
  required: ['mchNo', 'wayCode'],
};
export const appParams = { type: 'object', properties: { appId: { type: 'string', examples: ['MCH_A698612520'] } }, required: ['appId'] };

export const createIsvBody = {
  type: 'object',
  properties: {
    name,
    isvNo: { type: 'string', description: 'import an existing ISV number ("ISV_" and 1–28 letters or digits); default ISV_I + 9 digits' },
  },
  required: ['name'],
  additionalProperties: false,
};
export const updateIsvBody = { type: 'object', properties: { name }, minProperties: 1, additionalProperties: false };

export const merchantsQuery = {
  type: 'object',
  properties: {
    ...listQuery.properties,
    isvNo: { type: 'string', description: 'only the merchants of this ISV' },
  },
  additionalProperties: false,
};
export const createMerchantBody = {
  type: 'object',
  properties: {
    isvNo: { type: 'string', description: 'the ISV it is under' },
    name,
    mchNo: {
      type: 'string',
      description: 'import an existing merchant number ("MCH_" and 1–28 letters or digits); default MCH_I + 9 digits',
    },
    ratePerSecond: rate('calls per second for the whole merchant'),
    appRatePerSecond: rate('calls per second for each of its apps'),
  },
  required: ['isvNo', 'name'],
  additionalProperties: false,
};
export const updateMerchantBody = {
  type: 'object',
  properties: {
    name,
    ratePerSecond: rate('calls per second for the whole merchant'),
    appRatePerSecond: rate('calls per second for each of its apps'),
  },
  minProperties: 1,
  additionalProperties: false,
};
export const channelBody = {
  type: 'object',
  description:
    'WECHAT: wechatPayMchId (required), subMchId, subAppid. UNIONPAY: bridgeUrl, merchantNo, secret (required the first time). Fields left out keep their value.',
  properties: {
    enabled: { type: 'boolean' },
    wechatPayMchId: {
      type: 'string',
      description: 'WECHAT: the WeChat Pay merchant (service provider) that pays: /admin/api/wechat/pay-merchants',
    },
    subMchId: { type: ['string', 'null'], description: "WECHAT: the merchant's sub_mch_id under it" },
    subAppid: { type: ['string', 'null'], description: "WECHAT: the sub-merchant's official-account appid, when a request gives none" },
    bridgeUrl: { type: 'string', description: 'UNIONPAY: the acquirer bridge (README: "Writing a UnionPay bridge")' },
    merchantNo: { type: 'string', description: "UNIONPAY: the merchant's number at the acquirer" },
    secret: { type: 'string', description: "UNIONPAY: the bridge's HMAC-SHA256 key (16–128 printable ASCII); sealed, never shown" },
  },
  additionalProperties: false,
};

export const createAppBody = {
  type: 'object',
  properties: {
    mchNo: { type: 'string', description: 'the merchant it belongs to' },
    name,
    appId: { type: 'string', description: 'import an existing app id (1–32 letters, digits or _); default MCH_A + 9 digits' },
    secret: {
      type: 'string',
      description:
        'import an existing secret as it is (1–128 printable ASCII; shorter than 16 is accepted with a warning); default 32 random characters',
    },
  },
  required: ['mchNo'],
  additionalProperties: false,
};
export const updateAppBody = { type: 'object', properties: { name }, minProperties: 1, additionalProperties: false };
export const rotateAppBody = {
  type: ['object', 'null'],
  properties: { secret: { type: 'string', description: 'the new secret (16–128 printable ASCII); absent = 32 random characters' } },
  additionalProperties: false,
};

const timestamp = { type: 'string', format: 'date-time', description: 'ISO 8601, UTC' };
const status = { type: 'string', enum: ['enabled', 'disabled'] };
export const isvView = {
  type: 'object',
  properties: { isvNo: { type: 'string' }, name: { type: 'string' }, status, createdAt: timestamp, updatedAt: timestamp },
};
export const merchantView = {
  type: 'object',
  properties: {
    mchNo: { type: 'string' },
    isvNo: { type: 'string' },
    name: { type: 'string' },
    status,
    ratePerSecond: { type: ['integer', 'null'] },
    appRatePerSecond: { type: ['integer', 'null'] },
    channels: { type: 'array', items: { $ref: '#/components/schemas/JucaiChannel' }, description: 'in show only' },
    createdAt: timestamp,
    updatedAt: timestamp,
  },
};
export const channelView = {
  type: 'object',
  description: 'WECHAT shows wechatPayMchId, subMchId, subAppid; UNIONPAY bridgeUrl and merchantNo (never the secret).',
  properties: {
    wayCode: { type: 'string', enum: ['WECHAT', 'UNIONPAY'] },
    status,
    wechatPayMchId: { type: 'string' },
    subMchId: { type: ['string', 'null'] },
    subAppid: { type: ['string', 'null'] },
    bridgeUrl: { type: 'string' },
    merchantNo: { type: 'string' },
    updatedAt: timestamp,
  },
};
export const appView = {
  type: 'object',
  properties: {
    appId: { type: 'string' },
    mchNo: { type: 'string' },
    name: { type: 'string' },
    status,
    secret: { type: 'string', description: 'only in the replies of create and rotate-secret' },
    warnings: { type: 'array', items: { type: 'string' }, description: "create only: e.g. an imported secret weaker than kaifang's own" },
    createdAt: timestamp,
    updatedAt: timestamp,
  },
};
