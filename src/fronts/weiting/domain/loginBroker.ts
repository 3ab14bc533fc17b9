import { randomBytes } from 'node:crypto';
import type { WechatWebAuthorization } from '../../../upstream/types.ts';
import type { BearerTokens } from '../../../core/bearerTokens.ts';
import { Expired, InvalidInput, NotFound } from '../../../kernel/errors.ts';
import type { OfficialAccountWithSecret } from '../../../core/wechat/officialAccounts.ts';
import { hostAllowed, type WeitingApp } from './apps.ts';
import type { WeitingUsers } from './users.ts';

/** The platform code's look: the seed's example is base64 of 24 hexadecimal digits (96 random bits). */
export const seedLikeCode = () => Buffer.from(randomBytes(12).toString('hex'), 'ascii').toString('base64');

export interface LoginBrokerSettings {
  /** How long a started login may take to come back (10 minutes). */
  stateTtlMs: number;
  /** How long the platform code works (5 minutes). */
  codeTtlMs: number;
}

/**
 * The WeChat login broker. A partner starts a login with its own URL to come back to (http(s), on
 * its allowed hosts: no open redirects); WeChat's `state` carries only an opaque reference to it
 * (stored, 10 minutes, at most 128 bytes). When WeChat sends the user back, the code is exchanged
 * for the openid through the official account, the user is recorded, and the partner's URL gets a
 * one-time platform code (5 minutes, for that app only) that `openidOf` turns into the openid.
 */
export class LoginBroker {
  constructor(
    private readonly states: BearerTokens,
    private readonly codes: BearerTokens,
    private readonly users: WeitingUsers,
    private readonly officialAccount: () => Promise<OfficialAccountWithSecret>,
    private readonly webAuth: () => WechatWebAuthorization,
    private readonly urls: { wechatOpen: () => string; callback: () => string },
    private readonly settings: LoginBrokerSettings,
  ) {}

  /** The WeChat authorize URL to send the user to; InvalidInput('state') for a URL the app may not return to. */
  async start(app: WeitingApp, partnerUrl: string): Promise<string> {
    let url: URL | undefined;
    try {
      url = new URL(partnerUrl);
    } catch {
      /* refused below */
    }
    if (
      !url ||
      (url.protocol !== 'http:' && url.protocol !== 'https:') ||
      url.username !== '' ||
      url.password !== '' ||
      !hostAllowed(app, url.host.toLowerCase())
    ) {
      throw new InvalidInput('state', 'state 地址不合法');
    }
    const account = await this.officialAccount();
    const { token: ref } = await this.states.issue(app.appid, this.settings.stateTtlMs, { data: url.toString() });
    const query = new URLSearchParams({
      appid: account.appid,
      redirect_uri: this.urls.callback(),
      response_type: 'code',
      scope: 'snsapi_base',
      state: ref,
    });
    return `${this.urls.wechatOpen().replace(/\/+$/, '')}/connect/oauth2/authorize?${query}#wechat_redirect`;
  }

  /**
   * WeChat came back with `code` for the login `stateRef`: the partner URL to send the user to, with
   * the platform code added to its query (its own query and fragment kept). NotFound('loginState')
   * for an unknown, used or expired `state`; UpstreamRejected/Unavailable when WeChat refuses.
   */
  async complete(stateRef: string, wechatCode: string): Promise<string> {
    const started = await this.states.take(stateRef);
    if (!started) throw new NotFound('loginState', 'this login link is unknown, used, or older than 10 minutes: start the login again');
    const account = await this.officialAccount();
    const { openid } = await this.webAuth().exchangeCode(account.appid, account.secret, wechatCode);
    await this.users.ensure(openid);
    const { token: code } = await this.codes.issue(started.subject, this.settings.codeTtlMs, { data: openid });
    const back = new URL(started.data!);
    back.searchParams.append('code', code);
    return back.toString();
  }

  /** The openid a platform code stands for, once, for the app that started the login; Expired otherwise. */
  async openidOf(app: WeitingApp, code: string): Promise<string> {
    const grant = await this.codes.take(code, app.appid);
    if (!grant?.data) throw new Expired('code 已过期');
    return grant.data;
  }
}
