import { defineManifest } from '../kit/front.ts';
import * as m007 from './migrations/007_jucai.ts';
import * as m010 from './migrations/010_jucai_channel_keys.ts';
import { jucaiSettings } from './settings.ts';

/** What `kaifang jucai …`, the settings and the store need of this front, without its server (kit/front.ts). */
export const manifest = defineManifest({
  name: 'jucai',
  title: '巨彩商服 payment identity API: ISVs, merchants, channels and apps',
  settings: jucaiSettings,
  store: {
    migrations: { '007_jucai': m007, '010_jucai_channel_keys': m010 },
    tables: ['jucai_isvs', 'jucai_merchants', 'jucai_apps', 'jucai_channels'],
  },
  cli: async () => {
    const [{ jucaiCli }, { createJucaiServices }] = await Promise.all([import('./admin/cli.ts'), import('./services.ts')]);
    return { commands: jucaiCli, services: createJucaiServices };
  },
});
