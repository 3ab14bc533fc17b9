import { defineManifest } from '../kit/front.ts';
import * as m004 from './migrations/004_storepos.ts';
import { storeposSettings } from './settings.ts';

/** What `kaifang storepos …`, the settings and the store need of this front, without its server (kit/front.ts). */
export const manifest = defineManifest({
  name: 'storepos',
  title: '超赢 (storepos) agent API: agents and their mini-program grants',
  settings: storeposSettings,
  store: { migrations: { '004_storepos': m004 }, tables: ['storepos_agents', 'storepos_grants'] },
  cli: async () => {
    const [{ storeposCli }, { createStoreposServices }] = await Promise.all([import('./admin/cli.ts'), import('./services.ts')]);
    return { commands: storeposCli, services: createStoreposServices };
  },
});
