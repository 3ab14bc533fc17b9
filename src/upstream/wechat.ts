import type { RejectReason } from '../kernel/errors.ts';
import { UpstreamRejected, UpstreamUnavailable } from '../kernel/errors.ts';
import { callUpstream, jsonObject, type HttpOptions } from './http.ts';
import type { TemplateMessage, WechatMiniProgramLogin, WechatOfficialAccountApi, WechatSession, WechatWebAuthorization } from './types.ts';

export const WECHAT_API_URL = 'https://api.weixin.qq.com';
/** Where a browser is sent for web authorization. */
export const WECHAT_OPEN_URL = 'https://open.weixin.qq.com';

/**
 * WeChat's error codes, classified once for every front. The same number can mean different
 * things depending on the call: 40001 from `cgi-bin/token` is a wrong AppSecret, from any other
 * call an invalid access token; `credentialCall` says which.
 */
const REASONS: Record<string, RejectReason> = {
  '40029': 'invalid-code',
  '40163': 'used-code',
  '42003': 'expired-code',
  '45011': 'rate-limited',
  '45009': 'rate-limited',
  '40226': 'user-blocked',
  '-1': 'busy',
  '40125': 'bad-credentials',
  '40013': 'bad-credentials',
  '40164': 'bad-credentials',
  '41002': 'bad-credentials',
  '41004': 'bad-credentials',
  '40002': 'bad-credentials',
  '40001': 'token-invalid',
  '40014': 'token-invalid',
  '42001': 'token-invalid',
  '41001': 'token-invalid',
  '43004': 'bad-recipient',
  '40003': 'bad-recipient',
  '43101': 'bad-recipient',
  '40037': 'bad-configuration',
  '41008': 'invalid-code',
};

export function wechatReason(errcode: string, credentialCall = false): RejectReason {
  if (credentialCall && errcode === '40001') return 'bad-credentials';
  return REASONS[errcode] ?? 'other';
}

/**
 * WeChat's refusals counted by API and errcode (`kaifang_wechat_errors_total{api, errcode}`), when
 * the metrics the adapters were given have the counter (the server's do): a platform-side failure
 * (40164 IP not whitelisted, 48001, a 40001 that outlives a refresh) shows on /metrics by its code.
 */
export interface WechatErrorMetrics {
  wechatErrors: { inc(labels: { api: string; errcode: string }): void };
}

/** The errcode as a label: WeChat's numbers; anything else (a string, a huge number) is `other`, so labels stay few. */
const errcodeLabel = (code: string) => (/^-?\d{1,8}$/.test(code) ? code : 'other');

function counter(http: HttpOptions, api: string): (errcode: string) => void {
  const metrics = http.metrics as (HttpOptions['metrics'] & Partial<WechatErrorMetrics>) | undefined;
  return (errcode) => metrics?.wechatErrors?.inc({ api, errcode: errcodeLabel(errcode) });
}

/**
 * A WeChat JSON answer: `{errcode, errmsg}` with a non-zero errcode is a refusal (thrown, with its
 * reason, and counted by `count`), anything else is the answer. An `errcode` of 0 may ride along on success.
 */
export function wechatAnswer(
  body: Record<string, unknown>,
  credentialCall = false,
  count?: (errcode: string) => void,
): Record<string, unknown> {
  const errcode = body.errcode;
  if (errcode !== undefined && errcode !== 0 && errcode !== '0') {
    const code = String(errcode);
    const errmsg = typeof body.errmsg === 'string' ? body.errmsg : '';
    count?.(code);
    throw new UpstreamRejected('wechat', code, errmsg, wechatReason(code, credentialCall));
  }
  return body;
}

export function wechatBase(baseUrl: () => string): string {
  return baseUrl().replace(/\/+$/, '');
}

/**
 * WeChat mini-program login: `GET {base}/sns/jscode2session?appid&secret&js_code&grant_type`.
 * Success is `{openid, session_key, unionid?}`; failure `{errcode, errmsg}` (40029 invalid code,
 * 40163 code used, 45011 frequency limit, 40226 risky user, -1 busy, 40125/41002/41004/41008 bad
 * or missing credentials) → `UpstreamRejected('wechat', errcode, errmsg, reason)`. Nothing here
 * logs: the reply carries `session_key`.
 */
export class WechatLoginAdapter implements WechatMiniProgramLogin {
  constructor(
    /** e.g. https://api.weixin.qq.com, or http://127.0.0.1:8080/sandbox/wechat */
    private readonly baseUrl: () => string,
    private readonly http: HttpOptions,
  ) {}

  async code2Session(appid: string, secret: string, jsCode: string): Promise<WechatSession> {
    const query = new URLSearchParams({ appid, secret, js_code: jsCode, grant_type: 'authorization_code' });
    const url = `${wechatBase(this.baseUrl)}/sns/jscode2session?${query}`;
    // readOnly: a retry happens only when the connection was refused, i.e. the code never left.
    return callUpstream(this.http, { upstream: 'wechat', url, method: 'GET', readOnly: true }, (res) => {
      const body = wechatAnswer(jsonObject(res, 'wechat'), true, counter(this.http, 'sns/jscode2session'));
      if (res.status !== 200) {
        throw new UpstreamUnavailable('wechat', `wechat: HTTP ${res.status} without an errcode`, res.status, 'http-status');
      }
      const { openid, session_key, unionid } = body;
      if (typeof openid !== 'string' || openid === '' || typeof session_key !== 'string' || session_key === '') {
        throw new UpstreamUnavailable('wechat', 'wechat: the answer has no openid or session_key');
      }
      return typeof unionid === 'string' && unionid !== '' ? { openid, session_key, unionid } : { openid, session_key };
    });
  }
}

/**
 * WeChat web authorization, the code exchange: `GET {base}/sns/oauth2/access_token?appid&secret&code
 * &grant_type=authorization_code` → `{access_token, expires_in, refresh_token, openid, scope,
 * unionid?}`, or `{errcode, errmsg}` (40029 invalid code, 40163 used, 42003 expired). The user's
 * access token is not kept: kaifang only needs the openid. A code works once: never retried.
 */
export class WechatWebAuthorizationAdapter implements WechatWebAuthorization {
  constructor(
    private readonly baseUrl: () => string,
    private readonly http: HttpOptions,
  ) {}

  async exchangeCode(appid: string, secret: string, code: string): Promise<{ openid: string; unionid?: string }> {
    const query = new URLSearchParams({ appid, secret, code, grant_type: 'authorization_code' });
    const url = `${wechatBase(this.baseUrl)}/sns/oauth2/access_token?${query}`;
    return callUpstream(this.http, { upstream: 'wechat', url, method: 'GET' }, (res) => {
      const body = wechatAnswer(jsonObject(res, 'wechat'), true, counter(this.http, 'sns/oauth2/access_token'));
      const { openid, unionid } = body;
      if (typeof openid !== 'string' || openid === '')
        throw new UpstreamUnavailable('wechat', 'wechat: the code exchange answered without an openid', res.status);
      return typeof unionid === 'string' && unionid !== '' ? { openid, unionid } : { openid };
    });
  }
}

/**
 * `cgi-bin/stable_token`: the official account's token from WeChat's stable endpoint. Another
 * backend of the same account calling `cgi-bin/token` does not end it (the two are kept apart), and
 * in its normal mode (`force_refresh: false`) every caller gets the same token until its last 5
 * minutes. Where an adapter offers it, the official account's token may come from it.
 */
export interface WechatStableTokenApi {
  fetchStableToken(appid: string, secret: string): Promise<{ token: string; expiresInS: number }>;
}

/**
 * The official account API: its access token, `GET {base}/cgi-bin/token?grant_type=client_credential
 * &appid&secret` or `POST {base}/cgi-bin/stable_token` `{grant_type, appid, secret, force_refresh:
 * false}` (40001/40125 bad secret, 40013 bad appid, 40164 IP not whitelisted: `bad-credentials`),
 * and `POST {base}/cgi-bin/message/template/send?access_token=` with the message as JSON →
 * `{errcode: 0, msgid}` or a refusal (43004 not subscribed, 40003 bad openid, 40037 bad template,
 * 45009 daily limit, 48001 API not authorized, 40001/42001 the token: `token-invalid`, for the
 * caller to refresh once). A send is never retried here: it may have gone out.
 */
export class WechatOfficialAccountAdapter implements WechatOfficialAccountApi, WechatStableTokenApi {
  constructor(
    private readonly baseUrl: () => string,
    private readonly http: HttpOptions,
  ) {}

  async fetchToken(appid: string, secret: string): Promise<{ token: string; expiresInS: number }> {
    const query = new URLSearchParams({ grant_type: 'client_credential', appid, secret });
    const url = `${wechatBase(this.baseUrl)}/cgi-bin/token?${query}`;
    return callUpstream(this.http, { upstream: 'wechat', url, method: 'GET', readOnly: true }, (res) =>
      tokenAnswer(jsonObject(res, 'wechat'), res.status, 'cgi-bin/token', counter(this.http, 'cgi-bin/token')),
    );
  }

  /** `force_refresh` is always false: a forced refresh ends the token every other holder uses (and WeChat allows 20 a day). */
  async fetchStableToken(appid: string, secret: string): Promise<{ token: string; expiresInS: number }> {
    const request = {
      upstream: 'wechat',
      url: `${wechatBase(this.baseUrl)}/cgi-bin/stable_token`,
      method: 'POST' as const,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      // The secret rides in the body, which nothing logs; readOnly: without force_refresh a fetch changes nothing.
      body: JSON.stringify({ grant_type: 'client_credential', appid, secret, force_refresh: false }),
      readOnly: true,
    };
    return callUpstream(this.http, request, (res) =>
      tokenAnswer(jsonObject(res, 'wechat'), res.status, 'cgi-bin/stable_token', counter(this.http, 'cgi-bin/stable_token')),
    );
  }

  async sendTemplate(accessToken: string, message: TemplateMessage): Promise<{ msgid: string }> {
    const url = `${wechatBase(this.baseUrl)}/cgi-bin/message/template/send?${new URLSearchParams({ access_token: accessToken })}`;
    const request = {
      upstream: 'wechat',
      url,
      method: 'POST' as const,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(message),
    };
    return callUpstream(this.http, request, (res) => {
      const body = wechatAnswer(jsonObject(res, 'wechat'), false, counter(this.http, 'cgi-bin/message/template/send'));
      const msgid = body.msgid;
      if (typeof msgid !== 'number' && typeof msgid !== 'string')
        throw new UpstreamUnavailable('wechat', 'wechat: the template message was answered without a msgid', res.status);
      return { msgid: String(msgid) };
    });
  }
}

/** A token endpoint's answer: the token and its life, or the refusal (a credential call: 40001 is the secret). */
function tokenAnswer(
  answer: Record<string, unknown>,
  status: number,
  api: string,
  count: (errcode: string) => void,
): { token: string; expiresInS: number } {
  const body = wechatAnswer(answer, true, count);
  const { access_token, expires_in } = body;
  if (typeof access_token !== 'string' || access_token === '')
    throw new UpstreamUnavailable('wechat', `wechat: ${api} answered without an access_token`, status);
  return { token: access_token, expiresInS: typeof expires_in === 'number' && expires_in > 0 ? expires_in : 7200 };
}
