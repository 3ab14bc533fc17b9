import { listQuery, setSecretBody } from '../../kit/adminValidation.ts';
import {
  body,
  deleteOperation,
  errors,
  secretPaths,
  ok,
  operation,
  pathParams,
  queryParams,
  ref,
  type OpenApiFragment,
} from '../../kit/openapi.ts';
import * as S from './schemas.ts';

const TAG = 'admin: wechat';
const op = (summary: string, extra: Record<string, unknown>) => operation(TAG, summary, extra);
const miniapp = ref('WechatMiniapp');
const appid = pathParams(S.appParams);
const miniapps = '/admin/api/wechat/miniapps';
const payMerchant = ref('WechatPayMerchant');
const mchId = pathParams(S.payMerchantParams);
const pay = '/admin/api/wechat/pay-merchants';
const account = ref('WechatOfficialAccount');
const oa = '/admin/api/wechat/official-accounts';

export const wechatAdminOpenApi: OpenApiFragment = {
  tags: [
    {
      name: TAG,
      description:
        "The WeChat apps whose secrets the platform holds: mini-programs (storepos /Open/WXA_Code2Session) WeChat Pay merchants (jucai WECHAT channels) and official accounts (weiting's login broker and prize notices).",
    },
  ],
  paths: {
    [oa]: {
      get: op('List official accounts (secrets never shown)', {
        parameters: queryParams(listQuery),
        responses: {
          ...ok('a page of official accounts', { type: 'object', properties: { officialAccounts: { type: 'array', items: account } } }),
          ...errors(400),
        },
      }),
      post: op('Register an official account, its AppSecret and prize-notice template', {
        requestBody: body(S.createOfficialAccountBody),
        responses: { ...ok('the account', account, 201), ...errors(400, 409) },
      }),
    },
    [`${oa}/{appid}`]: {
      get: op('Show an official account', { parameters: appid, responses: { ...ok('the account', account), ...errors(404) } }),
      patch: op('Change its name, template or keyword mapping', {
        parameters: appid,
        requestBody: body(S.updateOfficialAccountBody),
        responses: { ...ok('the account', account), ...errors(400, 404) },
      }),
      delete: deleteOperation(TAG, 'official account', appid, 'WeChat issued its AppSecret; the platform forgets it'),
    },
    ...secretPaths(TAG, `${oa}/{appid}`, appid, account, { rotate: false, setBody: setSecretBody, what: 'official account' }),
    [`${oa}/{appid}/secret`]: {
      put: op('Replace the AppSecret (the shared access token is dropped)', {
        parameters: appid,
        requestBody: body(S.secretBody),
        responses: { ...ok('the account', account), ...errors(400, 404) },
      }),
    },
    [`${oa}/{appid}/disable`]: {
      post: op('Disable an official account', { parameters: appid, responses: { ...ok('the account', account), ...errors(404) } }),
    },
    [`${oa}/{appid}/enable`]: {
      post: op('Enable an official account', { parameters: appid, responses: { ...ok('the account', account), ...errors(404) } }),
    },
    [pay]: {
      get: op('List WeChat Pay merchants (keys never shown)', {
        parameters: queryParams(listQuery),
        responses: {
          ...ok('a page of WeChat Pay merchants, oldest first', {
            type: 'object',
            properties: { payMerchants: { type: 'array', items: payMerchant } },
          }),
          ...errors(400),
        },
      }),
      post: op('Register a WeChat Pay merchant and its API v2 key', {
        requestBody: body(S.createPayMerchantBody),
        responses: { ...ok('the merchant', payMerchant, 201), ...errors(400, 409) },
      }),
    },
    [`${pay}/{mchId}`]: {
      get: op('Show a WeChat Pay merchant', { parameters: mchId, responses: { ...ok('the merchant', payMerchant), ...errors(404) } }),
      patch: op('Change its name or appid', {
        parameters: mchId,
        requestBody: body(S.updatePayMerchantBody),
        responses: { ...ok('the merchant', payMerchant), ...errors(400, 404) },
      }),
      delete: deleteOperation(TAG, 'WeChat Pay merchant', mchId, '巨彩 WECHAT channels naming it become unusable (their status says why)'),
    },
    ...secretPaths(TAG, `${pay}/{mchId}`, mchId, payMerchant, { rotate: false, setBody: setSecretBody, what: 'WeChat Pay merchant' }),
    [`${pay}/{mchId}/key`]: {
      put: op('Replace the API v2 key (after a reset on pay.weixin.qq.com)', {
        parameters: mchId,
        requestBody: body(S.payMerchantKeyBody),
        responses: { ...ok('the merchant', payMerchant), ...errors(400, 404) },
      }),
    },
    [`${pay}/{mchId}/disable`]: {
      post: op('Disable a WeChat Pay merchant', { parameters: mchId, responses: { ...ok('the merchant', payMerchant), ...errors(404) } }),
    },
    [`${pay}/{mchId}/enable`]: {
      post: op('Enable a WeChat Pay merchant', { parameters: mchId, responses: { ...ok('the merchant', payMerchant), ...errors(404) } }),
    },
    [miniapps]: {
      get: op('List mini-programs (secrets never shown)', {
        parameters: queryParams(listQuery),
        responses: {
          ...ok('a page of mini-programs, oldest first', { type: 'object', properties: { miniapps: { type: 'array', items: miniapp } } }),
          ...errors(400),
        },
      }),
      post: op('Register a mini-program and its AppSecret', {
        requestBody: body(S.createMiniappBody),
        responses: { ...ok('the mini-program', miniapp, 201), ...errors(400, 409) },
      }),
    },
    [`${miniapps}/{appid}`]: {
      get: op('Show a mini-program', { parameters: appid, responses: { ...ok('the mini-program', miniapp), ...errors(404) } }),
      patch: op('Rename a mini-program', {
        parameters: appid,
        requestBody: body(S.updateMiniappBody),
        responses: { ...ok('the mini-program', miniapp), ...errors(400, 404) },
      }),
      delete: deleteOperation(TAG, 'mini-program', appid, 'its grants to 超赢 agents go with it'),
    },
    ...secretPaths(TAG, `${miniapps}/{appid}`, appid, miniapp, { rotate: false, setBody: setSecretBody, what: 'mini-program' }),
    [`${miniapps}/{appid}/secret`]: {
      put: op('Replace the AppSecret (after a reset on the WeChat side)', {
        parameters: appid,
        requestBody: body(S.secretBody),
        responses: { ...ok('the mini-program', miniapp), ...errors(400, 404) },
      }),
    },
    [`${miniapps}/{appid}/disable`]: {
      post: op('Disable a mini-program: logins with it get FAIL 10004 naming appid', {
        parameters: appid,
        responses: { ...ok('the mini-program', miniapp), ...errors(404) },
      }),
    },
    [`${miniapps}/{appid}/enable`]: {
      post: op('Enable a mini-program', { parameters: appid, responses: { ...ok('the mini-program', miniapp), ...errors(404) } }),
    },
  },
  components: {
    schemas: { WechatMiniapp: S.miniappView, WechatPayMerchant: S.payMerchantView, WechatOfficialAccount: S.officialAccountView },
  },
};
