import { deleteQuery, listQuery, setSecretBody } from '../../kit/adminValidation.ts';
import {
  body,
  deleteOperation,
  errors,
  listOf,
  secretPaths,
  ok,
  operation,
  pathParams,
  queryParams,
  ref,
  type OpenApiFragment,
} from '../../kit/openapi.ts';
import * as S from './schemas.ts';

const TAG = 'admin: jucai';
const op = (summary: string, extra: Record<string, unknown>) => operation(TAG, summary, extra);
const base = '/admin/api/jucai';
const isv = ref('JucaiIsv');
const merchant = ref('JucaiMerchant');
const channel = ref('JucaiChannel');
const app = ref('JucaiApp');
const list = listOf;
const switches = (path: string, params: unknown[], what: string, view: unknown) => ({
  [`${path}/disable`]: { post: op(`Disable ${what}`, { parameters: params, responses: { ...ok(what, view), ...errors(404) } }) },
  [`${path}/enable`]: { post: op(`Enable ${what}`, { parameters: params, responses: { ...ok(what, view), ...errors(404) } }) },
});

export const jucaiAdminOpenApi: OpenApiFragment = {
  tags: [
    {
      name: TAG,
      description:
        '巨彩 ISVs, merchants, their WECHAT and UNIONPAY channels, and apps. Changes reach running servers within KAIFANG_CACHE_TTL_MS.',
    },
  ],
  paths: {
    [`${base}/isvs`]: {
      get: op('List ISVs', {
        parameters: queryParams(listQuery),
        responses: { ...ok('ISVs, oldest first', list('isvs', isv)), ...errors(400) },
      }),
      post: op('Create an ISV, or import one with isvNo', {
        requestBody: body(S.createIsvBody),
        responses: { ...ok('the ISV', isv, 201), ...errors(400, 409) },
      }),
    },
    [`${base}/isvs/{isvNo}`]: {
      get: op('Show an ISV', { parameters: pathParams(S.isvParams), responses: { ...ok('the ISV', isv), ...errors(404) } }),
      patch: op('Rename an ISV', {
        parameters: pathParams(S.isvParams),
        requestBody: body(S.updateIsvBody),
        responses: { ...ok('the ISV', isv), ...errors(400, 404) },
      }),
      delete: deleteOperation(
        TAG,
        'ISV',
        pathParams(S.isvParams),
        'refused (409) while it has merchants, unless cascade=true, which deletes them with their apps and channels',
        deleteQuery,
      ),
    },
    ...switches(`${base}/isvs/{isvNo}`, pathParams(S.isvParams), 'an ISV (its merchants answer 403)', isv),
    [`${base}/merchants`]: {
      get: op('List merchants', {
        parameters: queryParams(S.merchantsQuery),
        responses: { ...ok('merchants, oldest first', list('merchants', merchant)), ...errors(400) },
      }),
      post: op('Create a merchant under an ISV, or import one with mchNo', {
        requestBody: body(S.createMerchantBody),
        responses: { ...ok('the merchant', merchant, 201), ...errors(400, 404, 409) },
      }),
    },
    [`${base}/merchants/{mchNo}`]: {
      get: op('Show a merchant and its channels', {
        parameters: pathParams(S.mchParams),
        responses: { ...ok('the merchant', merchant), ...errors(404) },
      }),
      patch: op("Change a merchant's name or rate limits", {
        parameters: pathParams(S.mchParams),
        requestBody: body(S.updateMerchantBody),
        responses: { ...ok('the merchant', merchant), ...errors(400, 404) },
      }),
      delete: deleteOperation(
        TAG,
        'merchant',
        pathParams(S.mchParams),
        'refused (409) while it has apps or channels, unless cascade=true, which deletes them too',
        deleteQuery,
      ),
    },
    ...switches(`${base}/merchants/{mchNo}`, pathParams(S.mchParams), 'a merchant (its calls answer 403)', merchant),
    [`${base}/merchants/{mchNo}/channels`]: {
      get: op("The merchant's channels", {
        parameters: pathParams(S.mchParams),
        responses: { ...ok('channels', list('channels', channel)), ...errors(404) },
      }),
    },
    [`${base}/merchants/{mchNo}/channels/{wayCode}`]: {
      put: op("Configure the merchant's channel for a wayCode (fields left out keep their value)", {
        parameters: pathParams(S.channelParams),
        requestBody: body(S.channelBody),
        responses: { ...ok('the channel', channel), ...errors(400, 404) },
      }),
      delete: op('Remove a channel: calls get CHANNEL_NOT_CONFIGURED', {
        parameters: pathParams(S.channelParams),
        responses: { ...ok('what was removed', { type: 'object' }), ...errors(404) },
      }),
    },
    [`${base}/apps`]: {
      get: op('List apps (secrets never shown)', {
        parameters: queryParams(listQuery),
        responses: { ...ok('apps, oldest first', list('apps', app)), ...errors(400) },
      }),
      post: op('Create an app of a merchant, or import one with appId and secret', {
        description: 'The reply is the only time the secret is shown (besides rotate-secret).',
        requestBody: body(S.createAppBody),
        responses: { ...ok('the app, with its secret', app, 201), ...errors(400, 404, 409) },
      }),
    },
    [`${base}/apps/{appId}`]: {
      get: op('Show an app', { parameters: pathParams(S.appParams), responses: { ...ok('the app', app), ...errors(404) } }),
      patch: op('Rename an app', {
        parameters: pathParams(S.appParams),
        requestBody: body(S.updateAppBody),
        responses: { ...ok('the app', app), ...errors(400, 404) },
      }),
      delete: deleteOperation(TAG, 'app', pathParams(S.appParams), 'its calls stop within KAIFANG_CACHE_TTL_MS'),
    },
    ...secretPaths(TAG, `${base}/apps/{appId}`, pathParams(S.appParams), app, { rotate: false, setBody: setSecretBody, what: 'app' }),
    ...switches(`${base}/apps/{appId}`, pathParams(S.appParams), 'an app (its calls answer 403)', app),
    [`${base}/apps/{appId}/rotate-secret`]: {
      post: op('Replace the app secret with a new random one, shown once (a body naming secret is the deprecated form of set-secret)', {
        parameters: pathParams(S.appParams),
        requestBody: body(S.rotateAppBody, false),
        responses: { ...ok('the app, with its new secret', app), ...errors(400, 404) },
      }),
    },
  },
  components: { schemas: { JucaiIsv: S.isvView, JucaiMerchant: S.merchantView, JucaiChannel: S.channelView, JucaiApp: S.appView } },
};
