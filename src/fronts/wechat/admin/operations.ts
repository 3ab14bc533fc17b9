import type { WechatApps } from '../../../core/wechat/index.ts';
import type { PrizeKeywords } from '../../../core/wechat/officialAccounts.ts';
import type { ListOptions } from '../../../core/credentials.ts';
import { listReply } from '../../kit/lists.ts';
import { presentMiniProgram, presentOfficialAccount, presentPayMerchant } from './present.ts';

/** The WeChat app operations, shared by the admin API and the CLI. */
export function wechatOperations(w: WechatApps) {
  const apps = w.miniPrograms;
  const pay = w.payMerchants;
  const oa = w.officialAccounts;
  return {
    listOfficialAccounts: async (page: ListOptions = {}) => {
      const [list, total] = await Promise.all([oa.list(page), oa.count(page)]);
      return listReply('officialAccounts', list.map(presentOfficialAccount), total, page);
    },
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
    deleteOfficialAccount: async (appid: string) => {
      await oa.remove(appid);
      return { appid, deleted: true };
    },
    setOfficialAccountEnabled: async (appid: string, enabled: boolean) => presentOfficialAccount(await oa.setEnabled(appid, enabled)),

    listPayMerchants: async (page: ListOptions = {}) => {
      const [list, total] = await Promise.all([pay.list(page), pay.count(page)]);
      return listReply('payMerchants', list.map(presentPayMerchant), total, page);
    },
    createPayMerchant: async (input: { mchId: string; appid: string; key: string; name?: string }) =>
      presentPayMerchant(await pay.create(input)),
    showPayMerchant: async (mchId: string) => presentPayMerchant(await pay.get(mchId)),
    setPayMerchantKey: async (mchId: string, key: string) => presentPayMerchant(await pay.setKey(mchId, key)),
    updatePayMerchant: async (mchId: string, changes: { appid?: string; name?: string }) =>
      presentPayMerchant(await pay.update(mchId, changes)),
    /** Deletes the merchant; 巨彩 WECHAT channels that name it become unusable (their status says why). */
    deletePayMerchant: async (mchId: string) => {
      await pay.remove(mchId);
      return { mchId, deleted: true };
    },
    setPayMerchantEnabled: async (mchId: string, enabled: boolean) => presentPayMerchant(await pay.setEnabled(mchId, enabled)),

    listMiniapps: async (page: ListOptions = {}) => {
      const [list, total] = await Promise.all([apps.list(page), apps.count(page)]);
      return listReply('miniapps', list.map(presentMiniProgram), total, page);
    },
    createMiniapp: async (input: { appid: string; secret: string; name?: string }) => presentMiniProgram(await apps.create(input)),
    showMiniapp: async (appid: string) => presentMiniProgram(await apps.get(appid)),
    setMiniappSecret: async (appid: string, secret: string) => presentMiniProgram(await apps.setSecret(appid, secret)),
    updateMiniapp: async (appid: string, changes: { name?: string }) => presentMiniProgram(await apps.update(appid, changes)),
    /** Deletes the mini-program; the grants of it to agents go with it (the store's foreign key cascades). */
    deleteMiniapp: async (appid: string) => {
      await apps.remove(appid);
      return { appid, deleted: true };
    },
    setMiniappEnabled: async (appid: string, enabled: boolean) => presentMiniProgram(await apps.setEnabled(appid, enabled)),
  };
}
export type WechatOperations = ReturnType<typeof wechatOperations>;
