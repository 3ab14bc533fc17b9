import type { BearerTokens } from '../../../core/bearerTokens.ts';
import { KNOWN_ABSENT, type Cached } from '../../../core/cache.ts';
import type { Clock } from '../../../kernel/clock.ts';
import { Disabled, Forbidden, InvalidSignature, NotFound } from '../../../kernel/errors.ts';
import type { Quotas } from '../../../core/quota.ts';
import { constantTimeEqual, sha256Hex } from '../../../kernel/secrets.ts';
import type { StateStore } from '../../../state/state.ts';
import type { WeitingAppWithSecret, WeitingApps } from './apps.ts';

export interface AccessTokenSettings {
  /** How long a token works (7200 s). */
  ttlMs: number;
  /** How long the previous token keeps working once a new one is issued (5 minutes). */
  overlapMs: number;
  /** Tokens per app per CST day unless the app has its own limit. */
  dailyLimit: number;
}

/** Wrong secrets (or unknown appids) one address may try for one appid in a window before it is slowed. */
export const FAILURES_BEFORE_SLOWDOWN = 5;
/** The window those failures are counted in. */
export const FAILURE_WINDOW_MS = 15 * 60_000;
/** Once slowed: one try per this long, for the rest of the window. */
export const SLOWED_INTERVAL_MS = 60_000;
/** What a slowed caller is told: the seed's 40001 with why (the secret is not checked meanwhile). */
export const SLOWED_MESSAGE = 'appid 或 secret 错误次数过多，请 1 分钟后再试';

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
    private readonly state: StateStore,
    private readonly clock: Clock,
    private readonly settings: AccessTokenSettings,
  ) {}

  /**
   * A new token; NotFound / InvalidSignature / Disabled for a wrong appid, a wrong secret, a
   * disabled app; RateLimited past the day's limit. `address` (the caller's IP) is slowed for this
   * appid after FAILURES_BEFORE_SLOWDOWN wrong tries in FAILURE_WINDOW_MS: one try a minute then
   * (Forbidden meanwhile, the secret not even checked), so a secret cannot be guessed by volume.
   */
  async issue(appid: string, secret: string, address = ''): Promise<{ token: string; expiresInS: number }> {
    const now = this.clock.now();
    // Counted in windows of the platform clock (a test's clock moves them); the store's TTL only cleans up.
    const failures = `weiting:token-failures:${sha256Hex(`${appid}\u0000${address}`)}:${Math.floor(now / FAILURE_WINDOW_MS)}`;
    // Slowed once the window's count of failures reached the bound: `next` says when the next try may come.
    const next = `${failures}:next`;
    const at = await this.state.get(next);
    if (at !== null) {
      // One try per interval after the last failure: the first caller past it takes the try, atomically across processes.
      if (now < Number(at) || !(await this.state.putIfAbsent(`${failures}:try:${at}`, '1', FAILURE_WINDOW_MS + 60_000)))
        throw new Forbidden(SLOWED_MESSAGE);
    }
    const fail = async (err: Error) => {
      const count = await this.state.incr(failures, FAILURE_WINDOW_MS + 60_000);
      if (count >= FAILURES_BEFORE_SLOWDOWN) await this.state.set(next, String(now + SLOWED_INTERVAL_MS), FAILURE_WINDOW_MS + 60_000);
      return err;
    };
    const app = await this.apps.findForSigning(appid);
    if (!app) throw await fail(new NotFound('app', 'appid 或 secret 错误'));
    if (!constantTimeEqual(secret, app.secret)) throw await fail(new InvalidSignature('appid 或 secret 错误'));
    if (!app.enabled) throw new Disabled('appid 或 secret 错误');
    if (at !== null) {
      // The right secret after being slowed: the count starts again.
      await this.state.del(failures);
      await this.state.del(next);
    }
    await this.quotas.perDay(`weiting:tokens:${app.id}`, app.dailyTokenLimit ?? this.settings.dailyLimit);
    const { token } = await this.tokens.issue(app.appid, this.settings.ttlMs, { overlapMs: this.settings.overlapMs });
    return { token, expiresInS: Math.round(this.settings.ttlMs / 1000) };
  }

  /** Ends every token of the app now (here at once, on other processes within the cache bound); how many there were. */
  revokeApp(appid: string): Promise<number> {
    return this.tokens.revokeSubject(appid);
  }

  /**
   * What `appOf` would give, when this process has the token and its app cached; undefined when
   * either has to be read.
   */
  cachedAppOf(token: string | undefined): Cached<WeitingAppWithSecret> | undefined {
    if (!token) return KNOWN_ABSENT;
    const grant = this.tokens.cachedVerify(token);
    if (!grant) return undefined;
    if (!grant.value) return KNOWN_ABSENT;
    const app = this.apps.cachedForSigning(grant.value.subject);
    if (!app) return undefined;
    return app.value?.enabled ? app : KNOWN_ABSENT;
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
