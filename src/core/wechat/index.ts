import type { CredentialDeps } from '../credentials.ts';
import { MiniPrograms } from './miniPrograms.ts';

/**
 * Every kind of WeChat app whose secrets the platform holds for its partners, whichever front uses
 * it: mini-programs (storepos login). One instance per process, shared by the fronts and the
 * admin API, so a change made through either is seen by both at once.
 */
export interface WechatApps {
  readonly miniPrograms: MiniPrograms;
}

export function createWechatApps(deps: CredentialDeps): WechatApps {
  return { miniPrograms: new MiniPrograms(deps) };
}
