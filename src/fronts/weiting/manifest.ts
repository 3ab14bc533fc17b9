import { defineManifest } from '../kit/front.ts';
import * as m008 from './migrations/008_weiting.ts';
import { weitingSettings } from './settings.ts';

/** What `kaifang weiting …`, the settings and the store need of this front, without its server (kit/front.ts). */
export const manifest = defineManifest({
  name: 'weiting',
  title: '上海电信 微厅 platform: partner apps, app tickets, users and their devices, notices and orders',
  settings: weitingSettings,
  store: {
    migrations: { '008_weiting': m008 },
    tables: ['weiting_apps', 'weiting_users', 'weiting_bindings', 'weiting_reports', 'weiting_notices'],
  },
  cli: async () => {
    const [{ weitingCli }, { createWeitingServices }] = await Promise.all([import('./admin/cli.ts'), import('./services.ts')]);
    return { commands: weitingCli, services: createWeitingServices };
  },
});
