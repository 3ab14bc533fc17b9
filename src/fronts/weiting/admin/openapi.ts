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

const TAG = 'admin: weiting';
const op = (summary: string, extra: Record<string, unknown>) => operation(TAG, summary, extra);
const base = '/admin/api/weiting';
const app = ref('WeitingApp');
const list = listOf;
const appParams = pathParams(S.appParams);

export const weitingAdminOpenApi: OpenApiFragment = {
  tags: [
    {
      name: TAG,
      description:
        '微厅 partner apps, app tickets, the users import, and the records of prize notices and orders. Changes reach running servers within KAIFANG_CACHE_TTL_MS.',
    },
  ],
  paths: {
    [`${base}/apps`]: {
      get: op('List partner apps (secrets never shown)', {
        parameters: queryParams(listQuery),
        responses: { ...ok('apps, oldest first', list('apps', app)), ...errors(400) },
      }),
      post: op('Create a partner app, or import one with its appid and secret', {
        description:
          'The reply is the only time the secret is shown (besides rotate-secret). An imported secret shorter than 16 characters is kept, with a warning.',
        requestBody: body(S.createAppBody),
        responses: { ...ok('the app, with its secret', app, 201), ...errors(400, 409) },
      }),
    },
    [`${base}/apps/{appid}`]: {
      get: op('Show a partner app', { parameters: appParams, responses: { ...ok('the app', app), ...errors(404) } }),
      patch: op("Change an app's name, allowed hosts (replaced as a whole) or daily token limit", {
        parameters: appParams,
        requestBody: body(S.updateAppBody),
        responses: { ...ok('the app', app), ...errors(400, 404) },
      }),
      delete: deleteOperation(
        TAG,
        'app',
        appParams,
        'its access tokens end; refused (409) while notices or reports name it, unless cascade=true, which deletes them too',
        deleteQuery,
      ),
    },
    ...secretPaths(TAG, `${base}/apps/{appid}`, appParams, app, { rotate: false, setBody: setSecretBody, what: 'app' }),
    [`${base}/apps/{appid}/disable`]: {
      post: op('Disable an app: its tokens are revoked (enabling it again does not bring them back), new ones are refused', {
        parameters: appParams,
        responses: { ...ok('the app', app), ...errors(404) },
      }),
    },
    [`${base}/apps/{appid}/enable`]: {
      post: op('Enable an app', { parameters: appParams, responses: { ...ok('the app', app), ...errors(404) } }),
    },
    [`${base}/apps/{appid}/rotate-secret`]: {
      post: op('Replace the app secret; the new one is shown once, and the access tokens issued under the old one are revoked', {
        parameters: appParams,
        requestBody: body(S.rotateBody, false),
        responses: { ...ok('the app, with its new secret', app), ...errors(400, 404) },
      }),
    },
    [`${base}/apps/{appid}/revoke-tokens`]: {
      post: op(
        'Revoke every access token of the app now (this process at once, the others within KAIFANG_CACHE_TTL_MS); the partner gets a new one with its secret',
        {
          parameters: appParams,
          responses: {
            ...ok('how many tokens were revoked', {
              type: 'object',
              properties: { appid: { type: 'string' }, revoked: { type: 'integer' } },
            }),
            ...errors(404),
          },
        },
      ),
    },
    [`${base}/tickets`]: {
      post: op('Issue an app quick-entry ticket for a logged-in mobile number (5 minutes, single use)', {
        requestBody: body(S.ticketBody),
        responses: {
          ...ok(
            'the ticket',
            { type: 'object', properties: { ticket: { type: 'string' }, expiresIn: { type: 'integer', description: 'seconds' } } },
            201,
          ),
          ...errors(400),
        },
      }),
    },
    [`${base}/users/{openid}`]: {
      get: op('A user and their bound devices', {
        parameters: pathParams(S.userParams),
        responses: { ...ok('the user', ref('WeitingUser')), ...errors(400, 404) },
      }),
    },
    [`${base}/users/import`]: {
      post: op('Import users and bound devices (CSV or JSON lines, at most 10,000 rows, 8 MiB)', {
        description:
          'CSV: a header line naming the columns (openid required; nickname, headimg, deviceno, devicename, bindtime `yyyy-MM-dd HH:mm:ss` China time, bpn, sort), then one row per user or per bound device. JSON lines: one object per line with the same names. Each row is written in one transaction or not at all; the report says per row what it did: created (a new user or device), updated (a changed detail), skipped (nothing new), refused (with why, nothing written). text/plain is read as JSON lines when it starts with `{`, else as CSV.',
        requestBody: {
          required: true,
          content: {
            'text/csv': { schema: { type: 'string' } },
            'application/x-ndjson': { schema: { type: 'string' } },
            'text/plain': { schema: { type: 'string' } },
          },
        },
        responses: { ...ok('what each row did', S.importReport), ...errors(400) },
      }),
    },
    [`${base}/notices`]: {
      get: op(
        'Prize notices sent, newest first: app, openid, fields, outcome (sent, refused, unavailable, limited), WeChat msgid, reason',
        {
          parameters: queryParams(S.listQuery),
          responses: { ...ok('notices', list('notices', S.noticeView)), ...errors(400) },
        },
      ),
    },
    [`${base}/orders`]: {
      get: op('Data-plan orders reported by partners, newest first', {
        parameters: queryParams(S.listQuery),
        responses: { ...ok('orders', list('orders', S.orderView)), ...errors(400) },
      }),
    },
  },
  components: { schemas: { WeitingApp: S.appView, WeitingUser: S.userView } },
};
