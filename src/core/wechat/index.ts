import type { CredentialDeps } from '../credentials.ts';
import { MiniPrograms } from './miniPrograms.ts';
import { WechatPayMerchants } from './payMerchants.ts';

/**
 * Every kind of WeChat app whose secrets the platform holds for its partners, whichever front uses
 * it: mini-programs (storepos login), WeChat Pay merchants (jucai). One instance per process,
 * shared by the fronts and the admin API, so a change made through either is seen by both at once.
 */
export interface WechatApps {
  readonly miniPrograms: MiniPrograms;
  readonly payMerchants: WechatPayMerchants;
}

export function createWechatApps(deps: CredentialDeps): WechatApps {
  return { miniPrograms: new MiniPrograms(deps), payMerchants: new WechatPayMerchants(deps) };
}
