import type { JucaiApp, JucaiAppWithSecret } from '../domain/apps.ts';
import type { ChannelInput } from '../domain/channels.ts';
import { presentApp, presentChannel, presentIsv, presentMerchant, type AppView } from './present.ts';
import type { JucaiServices } from '../services.ts';

type Page = { limit?: number; offset?: number };
const page = (p: Page) => ({
  ...(p.limit !== undefined ? { limit: p.limit } : {}),
  ...(p.offset !== undefined ? { offset: p.offset } : {}),
});

/** What an operator does with the 巨彩 front: shared by the admin API and the CLI. */
export function jucaiOperations(s: JucaiServices) {
  const { organization: org, apps, channels } = s;
  const showApps = async (list: (JucaiApp | JucaiAppWithSecret)[]) => {
    const numbers = await org.merchantNumbers([...new Set(list.map((a) => a.mchRef))]);
    return list.map((a) => presentApp(a, numbers.get(a.mchRef) ?? ''));
  };
  const showApp = async (a: JucaiApp | JucaiAppWithSecret) => (await showApps([a]))[0]!;
  return {
    listIsvs: async (p: Page = {}) => ({ isvs: (await org.listIsvs(page(p))).map(presentIsv) }),
    createIsv: async (input: { name: string; isvNo?: string }) => presentIsv(await org.createIsv(input)),
    showIsv: async (isvNo: string) => presentIsv(await org.getIsv(isvNo)),
    updateIsv: async (isvNo: string, changes: { name?: string; enabled?: boolean }) => presentIsv(await org.updateIsv(isvNo, changes)),

    listMerchants: async (p: Page & { isvNo?: string } = {}) => ({
      merchants: (await org.listMerchants({ ...page(p), ...(p.isvNo ? { isvNo: p.isvNo } : {}) })).map(presentMerchant),
    }),
    createMerchant: async (input: Parameters<typeof org.createMerchant>[0]) => presentMerchant(await org.createMerchant(input)),
    showMerchant: async (mchNo: string) => ({
      ...presentMerchant(await org.getMerchant(mchNo)),
      channels: (await channels.list(mchNo)).map(presentChannel),
    }),
    updateMerchant: async (mchNo: string, changes: Parameters<typeof org.updateMerchant>[1]) =>
      presentMerchant(await org.updateMerchant(mchNo, changes)),

    listChannels: async (mchNo: string) => ({ channels: (await channels.list(mchNo)).map(presentChannel) }),
    setChannel: async (mchNo: string, wayCode: string, input: ChannelInput) => presentChannel(await channels.set(mchNo, wayCode, input)),
    removeChannel: async (mchNo: string, wayCode: string) => {
      await channels.remove(mchNo, wayCode);
      return { mchNo, wayCode, removed: true };
    },

    listApps: async (p: Page = {}) => ({ apps: await showApps(await apps.list(page(p))) }),
    /** Creates (or, with appId/secret, imports) an app; the reply carries the secret, and `warnings` for a weak imported one. */
    createApp: async (input: { mchNo: string; name?: string; appId?: string; secret?: string }): Promise<AppView> => {
      const created = await apps.create(input);
      return { ...(await showApp(created)), ...(created.warning ? { warnings: [created.warning] } : {}) };
    },
    showApp: async (appId: string) => showApp(await apps.get(appId)),
    updateApp: async (appId: string, changes: { name?: string; enabled?: boolean }) => showApp(await apps.update(appId, changes)),
    rotateAppSecret: async (appId: string, secret?: string) => showApp(await apps.rotateSecret(appId, secret)),
  };
}
export type JucaiOperations = ReturnType<typeof jucaiOperations>;
