import type { Clock } from '../../kernel/clock.ts';
import { JucaiApps } from './domain/apps.ts';
import { Channels } from './domain/channels.ts';
import { Organization } from './domain/organization.ts';
import { LEASE_MARGIN_MS, PayerIdentities } from './domain/payerIdentity.ts';
import type { Core } from '../../core/platform.ts';
import type { Quotas } from '../../core/quota.ts';
import type { WechatPayMerchants } from '../../core/wechat/payMerchants.ts';
import type { JucaiSettings } from './settings.ts';

/** What the jucai front, its admin routes, its CLI and its demo use. */
export interface JucaiServices {
  readonly organization: Organization;
  readonly apps: JucaiApps;
  readonly channels: Channels;
  /** The platform's WeChat Pay merchants (core/wechat), which WECHAT channels name. */
  readonly payMerchants: WechatPayMerchants;
  readonly payers: PayerIdentities;
  readonly quotas: Quotas;
  readonly clock: Clock;
  readonly settings: JucaiSettings;
}

export function createJucaiServices(core: Core, settings: JucaiSettings): JucaiServices {
  const organization = new Organization(core.db, core.clock, core.cache);
  const payMerchants = core.wechat.payMerchants;
  const channels = new Channels(core, organization, payMerchants);
  return {
    organization,
    apps: new JucaiApps(core, organization),
    channels,
    payMerchants,
    payers: new PayerIdentities(
      channels,
      payMerchants,
      core.idempotency,
      core.upstreams,
      settings.jucaiIdempotencyHours * 3600_000,
      core.upstreams.http.timeoutMs + LEASE_MARGIN_MS,
    ),
    quotas: core.quotas,
    clock: core.clock,
    settings,
  };
}
