import type { BearerTokens } from '../../../core/bearerTokens.ts';
import { Disabled, InvalidSignature, NotFound } from '../../../kernel/errors.ts';
import type { Quotas } from '../../../core/quota.ts';
import { constantTimeEqual } from '../../../kernel/secrets.ts';
import type { WeitingAppWithSecret, WeitingApps } from './apps.ts';

export interface AccessTokenSettings {
  /** How long a token works (7200 s). */
  ttlMs: number;
  /** How long the previous token keeps working once a new one is issued (5 minutes). */
  overlapMs: number;
  /** Tokens per app per CST day unless the app has its own limit. */
  dailyLimit: number;
}

/**
 * Partner apps' access tokens: issued for `appid` + `secret` (compared in constant time), at most
 * the app's daily limit per China day (counted across processes), valid `ttlMs`, the previous one
 * working `overlapMs` more. Stored only as hashes (BearerTokens); checked on every call.
 */
export class AccessTokens {
  constructor(
    private readonly tokens: BearerTokens,
    private readonly apps: WeitingApps,
    private readonly quotas: Quotas,
    private readonly settings: AccessTokenSettings,
  ) {}

  /** A new token; NotFound / InvalidSignature / Disabled for a wrong appid, a wrong secret, a disabled app; RateLimited past the day's limit. */
  async issue(appid: string, secret: string): Promise<{ token: string; expiresInS: number }> {
    const app = await this.apps.findForSigning(appid);
    if (!app) throw new NotFound('app', 'appid 或 secret 错误');
    if (!constantTimeEqual(secret, app.secret)) throw new InvalidSignature('appid 或 secret 错误');
    if (!app.enabled) throw new Disabled('appid 或 secret 错误');
    await this.quotas.perDay(`weiting:tokens:${app.id}`, app.dailyTokenLimit ?? this.settings.dailyLimit);
    const { token } = await this.tokens.issue(app.appid, this.settings.ttlMs, { overlapMs: this.settings.overlapMs });
    return { token, expiresInS: Math.round(this.settings.ttlMs / 1000) };
  }

  /** The enabled app a token was issued to, or undefined (missing, unknown, expired, or the app disabled). */
  async appOf(token: string | undefined): Promise<WeitingAppWithSecret | undefined> {
    if (!token) return undefined;
    const grant = await this.tokens.verify(token);
    if (!grant) return undefined;
    const app = await this.apps.findForSigning(grant.subject);
    return app?.enabled ? app : undefined;
  }
}
