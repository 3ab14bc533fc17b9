import { listQuery, setSecretBody } from '../../kit/adminValidation.ts';
import { body, deleteOperation, errors, secretPaths, ok, pathParams, queryParams, ref, type OpenApiFragment } from '../../kit/openapi.ts';
import * as S from './schemas.ts';

/** The Opretail admin resources in the OpenAPI document, built from the schemas the routes validate with. */

const base = '/admin/api/opretail';
const tags = ['admin: opretail'];

const key = ref('OpretailDeveloperKey');
const method = ref('OpretailMethod');
const grants = ref('OpretailGrants');
const akey = pathParams(S.akeyParams);
const nameVersion = pathParams(S.methodParams);
const op = (summary: string, extra: Record<string, unknown>) => ({ tags, summary, ...extra });

export const opretailAdminOpenApi: OpenApiFragment = {
  tags: [
    {
      name: tags[0]!,
      description:
        'Opretail (万店掌) developer keys, gateway methods and grants. Changes reach running servers within KAIFANG_CACHE_TTL_MS.',
    },
  ],
  paths: {
    [`${base}/keys`]: {
      get: op('List developer keys (secrets never shown)', {
        parameters: queryParams(listQuery),
        responses: {
          ...ok('a page of keys', {
            type: 'object',
            properties: {
              keys: { type: 'array', items: key },
              total: { type: 'integer' },
              limit: { type: 'integer' },
              offset: { type: 'integer' },
            },
          }),
          ...errors(400),
        },
      }),
      post: op('Create a key, or import one with applicationKey/applicationSecret', {
        description: 'The reply is the only time the secret is shown (besides rotate-secret).',
        requestBody: body(S.createKeyBody),
        responses: { ...ok('the new key, with its `secret`', key, 201), ...errors(400, 409) },
      }),
    },
    [`${base}/keys/{akey}`]: {
      get: op('Show a key', { parameters: akey, responses: { ...ok('the key', key), ...errors(404) } }),
      patch: op("Change a key's fields", {
        parameters: akey,
        requestBody: body(S.updateKeyBody),
        responses: { ...ok('the key', key), ...errors(400, 404) },
      }),
      delete: deleteOperation(tags[0]!, 'key', akey, 'its grants go with it, in one transaction'),
    },
    ...secretPaths(tags[0]!, `${base}/keys/{akey}`, akey, key, { rotate: false, setBody: setSecretBody, what: 'key' }),
    [`${base}/keys/{akey}/disable`]: {
      post: op('Disable a key (switchStatus 2): its calls get KEY_UNLAWFUL', {
        parameters: akey,
        responses: { ...ok('the key', key), ...errors(404) },
      }),
    },
    [`${base}/keys/{akey}/enable`]: {
      post: op('Enable a key (switchStatus 1)', { parameters: akey, responses: { ...ok('the key', key), ...errors(404) } }),
    },
    [`${base}/keys/{akey}/expire`]: {
      post: op('Expire a key now, at a CST time, or never (`{"at": null}`)', {
        parameters: akey,
        requestBody: body(S.expireBody, false),
        responses: { ...ok('the key', key), ...errors(400, 404) },
      }),
    },
    [`${base}/keys/{akey}/rotate-secret`]: {
      post: op(
        'Replace the secret with a new random one, shown once as `secret`; the old one stops working (a body naming applicationSecret is the deprecated form of set-secret)',
        {
          parameters: akey,
          requestBody: body(S.rotateBody, false),
          responses: { ...ok('the key with its new `secret`, shown this once', key), ...errors(400, 404) },
        },
      ),
    },
    [`${base}/keys/{akey}/grants`]: {
      get: op('The methods granted to a key', { parameters: akey, responses: { ...ok('the grants', grants), ...errors(404) } }),
    },
    [`${base}/keys/{akey}/grants/{name}/{version}`]: {
      put: op('Grant a registered method to a key (idempotent)', {
        parameters: pathParams(S.grantParams),
        responses: { ...ok('the grants after the change', grants), ...errors(400, 404) },
      }),
      delete: op('Revoke a method from a key (idempotent)', {
        parameters: pathParams(S.grantParams),
        responses: { ...ok('the grants after the change', grants), ...errors(400, 404) },
      }),
    },
    [`${base}/methods`]: {
      get: op('List the registered methods', {
        responses: { ...ok('the methods', { type: 'object', properties: { methods: { type: 'array', items: method } } }), ...errors() },
      }),
      post: op('Register a method: `_mt` + `_version` forwarded to an HTTP service', {
        requestBody: body(S.createMethodBody),
        responses: { ...ok('the method', method, 201), ...errors(400, 409) },
      }),
    },
    [`${base}/methods/{name}/{version}`]: {
      get: op('Show a method', { parameters: nameVersion, responses: { ...ok('the method', method), ...errors(404) } }),
      patch: op('Change a method', {
        parameters: nameVersion,
        requestBody: body(S.updateMethodBody),
        responses: { ...ok('the method', method), ...errors(400, 404) },
      }),
    },
    [`${base}/methods/{name}/{version}/disable`]: {
      post: op('Disable a method: calls get METHOD_NOTEXIST_CODE', {
        parameters: nameVersion,
        responses: { ...ok('the method', method), ...errors(404) },
      }),
    },
    [`${base}/methods/{name}/{version}/enable`]: {
      post: op('Enable a method', { parameters: nameVersion, responses: { ...ok('the method', method), ...errors(404) } }),
    },
  },
  components: {
    schemas: { OpretailDeveloperKey: S.developerKeyView, OpretailMethod: S.gatewayMethodView, OpretailGrants: S.grantsView },
  },
};
