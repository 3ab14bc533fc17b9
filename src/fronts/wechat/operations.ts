import type { WechatApps } from '../../core/wechat/index.ts';
import { presentMiniProgram } from './present.ts';

/** The WeChat app operations, shared by the admin API and the CLI. */
export function wechatOperations(w: WechatApps) {
  const apps = w.miniPrograms;
  return {
    listMiniapps: async (limit?: number, offset?: number) => ({
      miniapps: (await apps.list({ ...(limit !== undefined ? { limit } : {}), ...(offset !== undefined ? { offset } : {}) })).map(presentMiniProgram),
    }),
    createMiniapp: async (input: { appid: string; secret: string; name?: string }) => presentMiniProgram(await apps.create(input)),
    showMiniapp: async (appid: string) => presentMiniProgram(await apps.get(appid)),
    setMiniappSecret: async (appid: string, secret: string) => presentMiniProgram(await apps.setSecret(appid, secret)),
    updateMiniapp: async (appid: string, changes: { name?: string }) => presentMiniProgram(await apps.update(appid, changes)),
    setMiniappEnabled: async (appid: string, enabled: boolean) => presentMiniProgram(await apps.setEnabled(appid, enabled)),
  };
}
export type WechatOperations = ReturnType<typeof wechatOperations>;
