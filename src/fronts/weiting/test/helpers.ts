import assert from 'node:assert/strict';
import type { Clock } from '../../../kernel/clock.ts';
import type { Backend } from '../../../../test/helpers/backends.ts';
import { startServer, type TestServer } from '../../../../test/helpers/server.ts';

/** The platform's official account in the tests (the seed's), and its prize template. */
export const OA_APPID = 'wx1b0d10b65d395395';
export const OA_TEMPLATE = 'prizeTemplate01';
/** The token refusal every endpoint but the token's gives (the seed's). */
export const TOKEN_REFUSED = { status: 0, errMsg: 'access_token校验异常' };

export type Json = Record<string, any>;

export interface WeitingFixture {
  s: TestServer;
  appid: string;
  secret: string;
  /** A fresh access token of the fixture's app (or of `appid`/`secret`). */
  token(appid?: string, secret?: string): Promise<string>;
  /** GET `path` with `query`; the reply parsed (and its HTTP status). */
  get(path: string, query: Record<string, string>): Promise<{ status: number; body: Json }>;
  /** POST `path?query` with a form (object), JSON (`json`) or raw body. */
  post(
    path: string,
    query: Record<string, string>,
    body: { form?: Record<string, string>; json?: unknown; raw?: string; contentType?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; body: Json }>;
  /** Starts a login for `partnerUrl` and follows WeChat's and the platform's redirects approving as `user`: where the browser lands. */
  login(token: string, partnerUrl: string, user: string): Promise<{ landing: string; wxcodeStatus: number; wxcodeBody: string }>;
  /** The sandbox's template-message inbox (newest first). */
  inbox(touser?: string): Promise<Json[]>;
  /** The openid the sandbox WeChat gives `user` of the official account (its /identity endpoint). */
  openidOf(user: string): Promise<string>;
  /** How many access tokens the sandbox WeChat gave the official account. */
  tokenFetches(): Promise<number>;
  close(): Promise<void>;
}

export async function weitingFixture(
  backend: Backend['name'],
  options: { clock?: Clock; env?: Record<string, string>; officialAccount?: boolean; captureLogs?: boolean } = {},
): Promise<WeitingFixture> {
  const s = await startServer({
    backend,
    env: { KAIFANG_UPSTREAM_TIMEOUT_MS: '800', ...options.env },
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.captureLogs ? { captureLogs: true } : {}),
  });
  if (options.officialAccount !== false) {
    const oa = await s.admin('/wechat/official-accounts', {
      body: { appid: OA_APPID, secret: 'oa-secret-0123456789abcdef012345', name: '上海电信', prizeTemplateId: OA_TEMPLATE },
    });
    assert.equal(oa.status, 201, JSON.stringify(oa.body));
  }
  const app = await s.admin('/weiting/apps', {
    body: { name: 'partner', allowedHosts: [new URL(s.url).host, 'partner.example.com', '*.example.org'] },
  });
  assert.equal(app.status, 201, JSON.stringify(app.body));
  const { appid, secret } = app.body as { appid: string; secret: string };

  const parse = async (res: Response) => {
    const text = await res.text();
    try {
      return { status: res.status, body: JSON.parse(text) as Json };
    } catch {
      assert.fail(`${res.url}: HTTP ${res.status}, not JSON: ${text.slice(0, 300)}`);
    }
  };
  const url = (path: string, query: Record<string, string>) =>
    `${s.url}${path}${Object.keys(query).length ? `?${new URLSearchParams(query)}` : ''}`;

  const f: WeitingFixture = {
    s,
    appid,
    secret,
    async token(id = appid, sec = secret) {
      const r = await f.get('/service/1.0/access/token', { appid: id, secret: sec });
      assert.equal(r.body.status, 200, JSON.stringify(r.body));
      return r.body.data as string;
    },
    get: async (path, query) => parse(await fetch(url(path, query))),
    async post(path, query, body) {
      const headers: Record<string, string> = { ...body.headers };
      let payload: string | undefined;
      if (body.form) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        payload = new URLSearchParams(body.form).toString();
      } else if (body.json !== undefined) {
        headers['content-type'] = 'application/json';
        payload = JSON.stringify(body.json);
      } else if (body.raw !== undefined) {
        payload = body.raw;
      }
      if (body.contentType) headers['content-type'] = body.contentType;
      return parse(await fetch(url(path, query), { method: 'POST', headers, ...(payload !== undefined ? { body: payload } : {}) }));
    },
    async login(token, partnerUrl, user) {
      const start = await f.post('/service/wxoauth/2.0/getBaseUrl', { access_token: token }, { form: { state: partnerUrl } });
      assert.equal(start.body.status, 200, JSON.stringify(start.body));
      // A browser drops the fragment when it requests the page; the test approves at once as `user`.
      const authorize = new URL(start.body.redirect as string);
      authorize.hash = '';
      authorize.searchParams.set('sandbox_user', user);
      const wechat = await fetch(authorize, { redirect: 'manual' });
      assert.equal(wechat.status, 302, `the authorize page answered ${wechat.status}`);
      const wxcode = await fetch(wechat.headers.get('location')!, { redirect: 'manual' });
      return { landing: wxcode.headers.get('location') ?? '', wxcodeStatus: wxcode.status, wxcodeBody: await wxcode.text() };
    },
    async inbox(touser) {
      const r = await s.admin(`/sandbox/template-messages${touser ? `?touser=${encodeURIComponent(touser)}` : ''}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body.messages as Json[];
    },
    async openidOf(user) {
      return ((await (await fetch(`${s.url}/sandbox/wechat/identity?appid=${OA_APPID}&user=${user}`)).json()) as { openid: string }).openid;
    },
    async tokenFetches() {
      const r = (await (await fetch(`${s.url}/sandbox/wechat/token-fetches?appid=${OA_APPID}`)).json()) as { fetches: number };
      return r.fetches;
    },
    close: () => s.close(),
  };
  return f;
}

/** A notice's fields for `openid`. */
export const notice = (openid: string, over: Record<string, string> = {}) => ({
  openid,
  first: '恭喜您中奖',
  activity: '双十一抽奖',
  prize: '1GB 流量',
  remark: '感谢参与',
  ...over,
});
