import { defineManifest } from '../kit/front.ts';
import * as m002 from './migrations/002_opretail.ts';
import { opretailSettings } from './settings.ts';

/** What `kaifang opretail …`, the settings and the store need of this front, without its server (kit/front.ts). */
export const manifest = defineManifest({
  name: 'opretail',
  title: '万店掌 (Opretail) gateway: developer keys and methods',
  settings: opretailSettings,
  store: { migrations: { '002_opretail': m002 }, tables: ['opretail_developer_keys', 'opretail_methods', 'opretail_grants'] },
  cli: async () => {
    const [{ opretailCli }, { createOpretailServices }] = await Promise.all([import('./admin/cli.ts'), import('./services.ts')]);
    return { commands: opretailCli, services: createOpretailServices };
  },
});
