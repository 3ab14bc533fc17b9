import { defineFront } from '../kit/front.ts';
import { weitingConsoleAdmin, weitingConsoleAdminOpenApi } from './admin/consoleRoutes.ts';
import { weitingConsole } from './console.ts';
import * as m008 from './migrations/008_weiting.ts';
import { weitingAdmin } from './admin/routes.ts';
import { weitingAdminOpenApi } from './admin/openapi.ts';
import { weitingCli } from './admin/cli.ts';
import { weitingDemo } from './demo.ts';
import { weitingFrontOpenApi } from './openapi.ts';
import { weitingRefusal } from './refuse.ts';
import { weitingRoutes } from './routes.ts';
import { createWeitingServices } from './services.ts';
import { weitingSettings } from './settings.ts';

/** Front C: the 上海电信 微厅 open platform, partner apps of a WeChat official account. */
export const weitingFront = defineFront({
  name: 'weiting',
  title: '上海电信 微厅 platform: partner apps, app tickets, users and their devices, notices and orders',
  settings: weitingSettings,
  store: {
    migrations: { '008_weiting': m008 },
    tables: ['weiting_apps', 'weiting_users', 'weiting_bindings', 'weiting_reports', 'weiting_notices'],
  },
  services: createWeitingServices,
  routes: weitingRoutes,
  paths: ['/service/'],
  refuse: weitingRefusal,
  // Its admin routes and the console's additions, under one prefix.
  admin: async (app, options) => {
    await app.register(weitingAdmin, options);
    await app.register(weitingConsoleAdmin, options);
  },
  openapi: [weitingFrontOpenApi, weitingAdminOpenApi, weitingConsoleAdminOpenApi],
  cli: weitingCli,
  demo: weitingDemo,
  console: weitingConsole,
});
