import { firstMissing, formBody, say, type FrontDebugger } from '../kit/debugger.ts';

/**
 * The 上海电信微厅 platform in the integrator's debugger. It signs nothing: a partner gets an access
 * token for `appid` + `secret` (the protocol sends the secret itself, in the query of
 * `/service/1.0/access/token`, to this server only), then sends the token with every other call.
 */

const TOKEN_PATH = '/service/1.0/access/token';

export const debuggerOf: FrontDebugger = {
  front: 'weiting',
  label: say('上海电信微厅 open platform', '上海电信微厅开放平台'),
  credential: { id: say('App id (appid)', '应用 appid'), secret: say('App secret', '应用 secret'), idField: 'appid', secretSent: true },
  filled: ['appid', 'secret'],
  // The login's return (wxcode) is WeChat's to call, not a partner's.
  paths: [
    TOKEN_PATH,
    '/service/wxoauth/2.0/getBaseUrl',
    '/service/wxoauth/2.0/getOpenidByCode',
    '/service/1.0/user/info',
    '/service/1.0/sendPrizeNotice',
    '/service/1.0/weekBind/create',
    '/service/1.0/flowOrders/create',
    '/service/1.0/appOauthen/Ticket',
  ],
  build(endpoint, values, id, secret) {
    const query: [string, string][] = [];
    const body: [string, string][] = [];
    for (const field of endpoint.fields) {
      const value = values[field.name];
      if (value === undefined || value === '') continue;
      (field.in === 'query' ? query : body).push([field.name, value]);
    }
    if (endpoint.path === TOKEN_PATH) query.unshift(['appid', id], ['secret', secret]);
    const post = endpoint.method.toUpperCase() === 'POST';
    const url = query.length ? `${endpoint.path}?${formBody(query)}` : endpoint.path;
    return {
      method: endpoint.method.toUpperCase(),
      url,
      headers: post ? { 'content-type': 'application/x-www-form-urlencoded' } : ({} as Record<string, string>),
      ...(post ? { body: formBody(body) } : {}),
      params: [...query, ...body],
      scheme: say(
        'No signature: the token call sends appid and secret; every other call sends access_token.',
        '无签名：获取令牌时发送 appid 与 secret，其他接口发送 access_token。',
      ),
    };
  },
  explain(request) {
    if (request.path === TOKEN_PATH) {
      const missing = firstMissing(request.params, ['appid', 'secret']);
      return [
        missing ?? { name: say('appid and secret present', 'appid 与 secret 齐全'), ok: true },
        ...(missing
          ? []
          : [{ name: say('appid and secret of an enabled app', 'appid 与 secret 属于已启用的应用'), ok: true, serverOnly: true }]),
      ];
    }
    const missing = firstMissing(request.params, ['access_token']);
    return [
      missing ?? { name: say('access_token present', 'access_token 存在'), ok: true },
      ...(missing
        ? []
        : [{ name: say('access_token live, of an enabled app', 'access_token 有效且应用已启用'), ok: true, serverOnly: true }]),
    ];
  },
};
