import { BearerTokens } from '../../core/bearerTokens.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Core } from '../../core/platform.ts';
import { randomHex } from '../../kernel/random.ts';
import { AccessTokens } from './domain/accessTokens.ts';
import { WeitingApps } from './domain/apps.ts';
import { LoginBroker, seedLikeCode } from './domain/loginBroker.ts';
import { PrizeNotices } from './domain/notices.ts';
import { theOfficialAccount } from './domain/officialAccount.ts';
import { PartnerReports } from './domain/reports.ts';
import { Tickets } from './domain/tickets.ts';
import { WeitingUsers } from './domain/users.ts';
import type { OfficialAccounts } from '../../core/wechat/officialAccounts.ts';
import type { WeitingSettings } from './settings.ts';

/** What the 微厅 front, its admin routes, its CLI and its demo use. */
export interface WeitingServices {
  readonly apps: WeitingApps;
  readonly accessTokens: AccessTokens;
  readonly users: WeitingUsers;
  readonly login: LoginBroker;
  readonly notices: PrizeNotices;
  readonly reports: PartnerReports;
  readonly tickets: Tickets;
  /** The platform's official accounts (core/wechat). */
  readonly officialAccounts: OfficialAccounts;
  readonly clock: Clock;
  readonly settings: WeitingSettings;
}

export function createWeitingServices(core: Core, settings: WeitingSettings): WeitingServices {
  const apps = new WeitingApps(core);
  const users = new WeitingUsers(core.db, core.clock, core.cache);
  const accounts = core.wechat.officialAccounts;
  const officialAccount = theOfficialAccount(accounts, settings.weitingOfficialAccount);
  // Tokens are checked on every call: cached for the deployment's cache bound (a revoked one stops
  // within KAIFANG_CACHE_TTL_MS; expiry is checked on every use).
  const tokens = (kind: string, options = {}) => new BearerTokens(core.db, core.clock, kind, options);
  return {
    apps,
    accessTokens: new AccessTokens(tokens('weiting:access', { cache: core.cache }), apps, core.quotas, core.state, core.clock, {
      ttlMs: settings.weitingTokenTtlS * 1000,
      overlapMs: settings.weitingTokenOverlapS * 1000,
      dailyLimit: settings.weitingTokenDailyLimit,
    }),
    users,
    login: new LoginBroker(
      tokens('weiting:login-state', { format: () => randomHex(24) }),
      tokens('weiting:code', { format: seedLikeCode }),
      users,
      core.state,
      officialAccount,
      () => core.upstreams.wechatWebAuth,
      { wechatOpen: core.upstreams.wechatOpenUrl, callback: () => `${core.publicUrl()}/service/wxoauth/2.0/wxcode` },
      { stateTtlMs: settings.weitingLoginStateTtlS * 1000, codeTtlMs: settings.weitingLoginCodeTtlS * 1000 },
    ),
    notices: new PrizeNotices(
      core.db,
      core.state,
      core.clock,
      core.idempotency,
      accounts,
      officialAccount,
      settings.weitingNoticesPerOpenidPerDay,
      settings.weitingWechatTokenSource,
    ),
    reports: new PartnerReports(core.db, core.clock, users, core.idempotency),
    tickets: new Tickets(tokens('weiting:ticket'), core.state, settings.weitingTicketTtlS * 1000),
    officialAccounts: accounts,
    clock: core.clock,
    settings,
  };
}
