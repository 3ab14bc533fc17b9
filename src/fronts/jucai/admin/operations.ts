import type { JucaiApp, JucaiAppWithSecret } from '../domain/apps.ts';
import type { ChannelInput } from '../domain/channels.ts';
import type { ListOptions } from '../../../core/credentials.ts';
import { listReply } from '../../kit/lists.ts';
import { presentApp, presentChannel, presentIsv, presentMerchant, type AppView } from './present.ts';
import type { JucaiServices } from '../services.ts';

type Page = ListOptions;

/** What an operator does with the 巨彩 front: shared by the admin API and the CLI. */
export function jucaiOperations(s: JucaiServices) {
  const { organization: org, apps, channels } = s;
  const showApps = async (list: (JucaiApp | JucaiAppWithSecret)[]) => {
    const numbers = await org.merchantNumbers([...new Set(list.map((a) => a.mchRef))]);
    return list.map((a) => presentApp(a, numbers.get(a.mchRef) ?? ''));
  };
  const showApp = async (a: JucaiApp | JucaiAppWithSecret) => (await showApps([a]))[0]!;
  return {
    listIsvs: async (p: Page = {}) => {
      const [list, total] = await Promise.all([org.listIsvs(p), org.countIsvs(p)]);
      return listReply('isvs', list.map(presentIsv), total, p);
    },
    createIsv: async (input: { name: string; isvNo?: string }) => presentIsv(await org.createIsv(input)),
    showIsv: async (isvNo: string) => presentIsv(await org.getIsv(isvNo)),
    updateIsv: async (isvNo: string, changes: { name?: string; enabled?: boolean }) => presentIsv(await org.updateIsv(isvNo, changes)),

    listMerchants: async (p: Page & { isvNo?: string } = {}) => {
      const [list, total] = await Promise.all([org.listMerchants(p), org.countMerchants(p)]);
      return listReply('merchants', list.map(presentMerchant), total, p);
    },
    /** Deletes an ISV; with merchants only with `cascade` (they go too, with their apps and channels). */
    deleteIsv: async (isvNo: string, cascade = false) => {
      const counts = await org.deleteIsv(isvNo, cascade);
      if (counts.apps > 0) apps.forget();
      if (counts.channels > 0) channels.forget();
      return { isvNo, deleted: true, ...counts };
    },
    /** Deletes a merchant; with apps or channels only with `cascade` (they go too). */
    deleteMerchant: async (mchNo: string, cascade = false) => {
      const counts = await org.deleteMerchant(mchNo, cascade);
      if (counts.apps > 0) apps.forget();
      if (counts.channels > 0) channels.forget();
      return { mchNo, deleted: true, ...counts };
    },
    createMerchant: async (input: Parameters<typeof org.createMerchant>[0]) => presentMerchant(await org.createMerchant(input)),
    showMerchant: async (mchNo: string) => ({
      ...presentMerchant(await org.getMerchant(mchNo)),
      channels: (await channels.list(mchNo)).map(presentChannel),
    }),
    updateMerchant: async (mchNo: string, changes: Parameters<typeof org.updateMerchant>[1]) =>
      presentMerchant(await org.updateMerchant(mchNo, changes)),

    listChannels: async (mchNo: string) => {
      const list = (await channels.list(mchNo)).map(presentChannel);
      return listReply('channels', list, list.length, { limit: list.length, offset: 0 });
    },
    setChannel: async (mchNo: string, wayCode: string, input: ChannelInput) => presentChannel(await channels.set(mchNo, wayCode, input)),
    removeChannel: async (mchNo: string, wayCode: string) => {
      await channels.remove(mchNo, wayCode);
      return { mchNo, wayCode, removed: true };
    },

    listApps: async (p: Page = {}) => {
      const [list, total] = await Promise.all([apps.list(p), apps.count(p)]);
      return listReply('apps', await showApps(list), total, p);
    },
    /** Creates (or, with appId/secret, imports) an app; the reply carries the secret, and `warnings` for a weak imported one. */
    createApp: async (input: { mchNo: string; name?: string; appId?: string; secret?: string }): Promise<AppView> => {
      const created = await apps.create(input);
      return { ...(await showApp(created)), ...(created.warning ? { warnings: [created.warning] } : {}) };
    },
    showApp: async (appId: string) => showApp(await apps.get(appId)),
    updateApp: async (appId: string, changes: { name?: string; enabled?: boolean }) => showApp(await apps.update(appId, changes)),
    /** A new random secret (or, deprecated, the given one), shown once. */
    rotateAppSecret: async (appId: string, secret?: string) => showApp(await apps.rotateSecret(appId, secret)),
    setAppSecret: async (appId: string, secret: string) => showApp(await apps.rotateSecret(appId, secret)),
    deleteApp: async (appId: string) => {
      await apps.remove(appId);
      return { appId, deleted: true };
    },
  };
}
export type JucaiOperations = ReturnType<typeof jucaiOperations>;
