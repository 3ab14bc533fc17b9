import { randomBytes } from 'node:crypto';
import type { WechatWebAuthorization } from '../../../upstream/types.ts';
import type { BearerTokens } from '../../../core/bearerTokens.ts';
import { Expired, InvalidInput, NotFound } from '../../../kernel/errors.ts';
import { sha256Hex } from '../../../kernel/secrets.ts';
import type { StateStore } from '../../../state/state.ts';
import type { OfficialAccountWithSecret } from '../../../core/wechat/officialAccounts.ts';
import { hostAllowed, type WeitingApp } from './apps.ts';
import type { WeitingUsers } from './users.ts';

/** The platform code's look: the seed's example is base64 of 24 hexadecimal digits (96 random bits). */
export const seedLikeCode = () => Buffer.from(randomBytes(12).toString('hex'), 'ascii').toString('base64');

/**
 * A partner URL refused by `start`, saying why for the operator's log and the call log (the wire
 * answer is the seed's 40002 either way): not an http(s) URL, a user:password in it, or a host that
 * is not on the app's allowed hosts (named, with the allowed ones).
 */
export class StateRefused extends InvalidInput {
  constructor(
    readonly why: 'not-a-url' | 'scheme' | 'userinfo' | 'host',
    readonly refusedHost: string | undefined,
    readonly allowedHosts: readonly string[],
  ) {
    super('state', 'state 地址不合法');
  }
}

/** How a login that came back from WeChat ended: the partner URL with the code, or why not (and the partner URL when known). */
export type LoginEnd = { location: string } | { failure: unknown; partnerUrl: string | undefined };

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
    private readonly state: StateStore,
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
    const refuse = (why: StateRefused['why']) => new StateRefused(why, url?.host.toLowerCase(), app.allowedHosts);
    if (!url) throw refuse('not-a-url');
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw refuse('scheme');
    if (url.username !== '' || url.password !== '') throw refuse('userinfo');
    if (!hostAllowed(app, url.host.toLowerCase())) throw refuse('host');
    const account = await this.officialAccount();
    const { token: ref } = await this.states.issue(app.appid, this.settings.stateTtlMs, { data: url.toString() });
    // Kept a day past the login's own end, so a person arriving with a used or late link can still be
    // sent back to the partner (with an error, never a code). The store's TTL runs on the wall clock.
    await this.state.set(this.partnerKey(ref), url.toString(), this.settings.stateTtlMs + 86_400_000);
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
   * the platform code added to its query (its own query and fragment kept). Otherwise the failure —
   * NotFound('loginState') for an unknown, used or expired `state`; UpstreamRejected/Unavailable when
   * WeChat refuses or cannot be reached — with the partner URL when kaifang knows it.
   */
  async complete(stateRef: string, wechatCode: string): Promise<LoginEnd> {
    const started = await this.states.take(stateRef);
    if (!started)
      return {
        failure: new NotFound('loginState', 'this login link is unknown, used, or older than 10 minutes: start the login again'),
        partnerUrl: await this.partnerUrlOf(stateRef),
      };
    try {
      const account = await this.officialAccount();
      const { openid } = await this.webAuth().exchangeCode(account.appid, account.secret, wechatCode);
      await this.users.ensure(openid);
      const { token: code } = await this.codes.issue(started.subject, this.settings.codeTtlMs, { data: openid });
      const back = new URL(started.data!);
      back.searchParams.append('code', code);
      return { location: back.toString() };
    } catch (err) {
      return { failure: err, partnerUrl: started.data ?? undefined };
    }
  }

  /**
   * The person refused on WeChat's page (WeChat came back without a code): the login is over (its
   * state used up), and the partner URL to send them back to, when kaifang knows it.
   */
  async refused(stateRef: string): Promise<string | undefined> {
    const started = await this.states.take(stateRef);
    return started?.data ?? (await this.partnerUrlOf(stateRef));
  }

  /** The partner URL a login was started for, also once it is used or late (a day more). */
  private async partnerUrlOf(stateRef: string): Promise<string | undefined> {
    if (stateRef.length > 128) return undefined;
    return (await this.state.get(this.partnerKey(stateRef))) ?? undefined;
  }

  private partnerKey(stateRef: string): string {
    return `weiting:login:partner:${sha256Hex(stateRef)}`;
  }

  /** The openid a platform code stands for, once, for the app that started the login; Expired otherwise. */
  async openidOf(app: WeitingApp, code: string): Promise<string> {
    const grant = await this.codes.take(code, app.appid);
    if (!grant?.data) throw new Expired('code 已过期');
    return grant.data;
  }
}
