import type { WechatOfficialAccountApi } from '../../upstream/types.ts';
import type { CredentialDeps } from '../credentials.ts';
import type { UpstreamTokens } from '../upstreamTokens.ts';
import { MiniPrograms } from './miniPrograms.ts';
import { OfficialAccounts } from './officialAccounts.ts';
import { WechatPayMerchants } from './payMerchants.ts';

/**
 * Every kind of WeChat app whose secrets the platform holds for its partners, whichever front uses
 * it: mini-programs (storepos login), WeChat Pay merchants (jucai), official accounts (weiting's
 * login broker and prize notices). One instance per process,
 * shared by the fronts and the admin API, so a change made through either is seen by both at once.
 */
export interface WechatApps {
  readonly miniPrograms: MiniPrograms;
  readonly payMerchants: WechatPayMerchants;
  readonly officialAccounts: OfficialAccounts;
}

export function createWechatApps(
  deps: CredentialDeps & { upstreamTokens: UpstreamTokens; officialAccountApi: () => WechatOfficialAccountApi },
): WechatApps {
  return {
    miniPrograms: new MiniPrograms(deps),
    payMerchants: new WechatPayMerchants(deps),
    officialAccounts: new OfficialAccounts(deps, deps.upstreamTokens, deps.officialAccountApi),
  };
}
