import type { MiniProgram } from '../../../core/wechat/miniPrograms.ts';
import type { OfficialAccount } from '../../../core/wechat/officialAccounts.ts';
import type { WechatPayMerchant } from '../../../core/wechat/payMerchants.ts';

/** A mini-program as the admin API and the CLI show it; its secret never is. */
export function presentMiniProgram(app: MiniProgram) {
  return {
    appid: app.appid,
    name: app.name,
    status: app.enabled ? 'enabled' : 'disabled',
    createdAt: new Date(app.createdAt).toISOString(),
    updatedAt: new Date(app.updatedAt).toISOString(),
  };
}
export type MiniProgramView = ReturnType<typeof presentMiniProgram>;

/** A WeChat Pay merchant as shown; its API v2 key never is. */
export function presentPayMerchant(m: WechatPayMerchant) {
  return {
    mchId: m.mchId,
    appid: m.appid,
    name: m.name,
    status: m.enabled ? 'enabled' : 'disabled',
    createdAt: new Date(m.createdAt).toISOString(),
    updatedAt: new Date(m.updatedAt).toISOString(),
  };
}
export type PayMerchantView = ReturnType<typeof presentPayMerchant>;

/** An official account as shown; its AppSecret never is. */
export function presentOfficialAccount(a: OfficialAccount) {
  return {
    appid: a.appid,
    name: a.name,
    status: a.enabled ? 'enabled' : 'disabled',
    prizeTemplateId: a.prizeTemplateId,
    prizeKeywords: a.prizeKeywords,
    createdAt: new Date(a.createdAt).toISOString(),
    updatedAt: new Date(a.updatedAt).toISOString(),
  };
}
export type OfficialAccountView = ReturnType<typeof presentOfficialAccount>;
