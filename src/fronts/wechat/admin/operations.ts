import type { WechatApps } from '../../../core/wechat/index.ts';
import type { PrizeKeywords } from '../../../core/wechat/officialAccounts.ts';
import { presentMiniProgram, presentOfficialAccount, presentPayMerchant } from './present.ts';

/** The WeChat app operations, shared by the admin API and the CLI. */
export function wechatOperations(w: WechatApps) {
  const apps = w.miniPrograms;
  const pay = w.payMerchants;
  const oa = w.officialAccounts;
  return {
    listOfficialAccounts: async (limit?: number, offset?: number) => ({
      officialAccounts: (await oa.list({ ...(limit !== undefined ? { limit } : {}), ...(offset !== undefined ? { offset } : {}) })).map(
        presentOfficialAccount,
      ),
    }),
    createOfficialAccount: async (input: {
      appid: string;
      secret: string;
      name?: string;
      prizeTemplateId?: string | null;
      prizeKeywords?: Partial<PrizeKeywords>;
    }) => presentOfficialAccount(await oa.create(input)),
    showOfficialAccount: async (appid: string) => presentOfficialAccount(await oa.get(appid)),
    updateOfficialAccount: async (
      appid: string,
      changes: { name?: string; prizeTemplateId?: string | null; prizeKeywords?: Partial<PrizeKeywords> },
    ) => presentOfficialAccount(await oa.update(appid, changes)),
    setOfficialAccountSecret: async (appid: string, secret: string) => presentOfficialAccount(await oa.setSecret(appid, secret)),
    setOfficialAccountEnabled: async (appid: string, enabled: boolean) => presentOfficialAccount(await oa.setEnabled(appid, enabled)),

    listPayMerchants: async (limit?: number, offset?: number) => ({
      payMerchants: (await pay.list({ ...(limit !== undefined ? { limit } : {}), ...(offset !== undefined ? { offset } : {}) })).map(
        presentPayMerchant,
      ),
    }),
    createPayMerchant: async (input: { mchId: string; appid: string; key: string; name?: string }) =>
      presentPayMerchant(await pay.create(input)),
    showPayMerchant: async (mchId: string) => presentPayMerchant(await pay.get(mchId)),
    setPayMerchantKey: async (mchId: string, key: string) => presentPayMerchant(await pay.setKey(mchId, key)),
    updatePayMerchant: async (mchId: string, changes: { appid?: string; name?: string }) =>
      presentPayMerchant(await pay.update(mchId, changes)),
    setPayMerchantEnabled: async (mchId: string, enabled: boolean) => presentPayMerchant(await pay.setEnabled(mchId, enabled)),

    listMiniapps: async (limit?: number, offset?: number) => ({
      miniapps: (await apps.list({ ...(limit !== undefined ? { limit } : {}), ...(offset !== undefined ? { offset } : {}) })).map(
        presentMiniProgram,
      ),
    }),
    createMiniapp: async (input: { appid: string; secret: string; name?: string }) => presentMiniProgram(await apps.create(input)),
    showMiniapp: async (appid: string) => presentMiniProgram(await apps.get(appid)),
    setMiniappSecret: async (appid: string, secret: string) => presentMiniProgram(await apps.setSecret(appid, secret)),
    updateMiniapp: async (appid: string, changes: { name?: string }) => presentMiniProgram(await apps.update(appid, changes)),
    setMiniappEnabled: async (appid: string, enabled: boolean) => presentMiniProgram(await apps.setEnabled(appid, enabled)),
  };
}
export type WechatOperations = ReturnType<typeof wechatOperations>;
