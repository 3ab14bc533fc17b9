import { defineFront } from '../kit/front.ts';
import { manifest } from './manifest.ts';
import { weitingConsoleAdmin, weitingConsoleAdminOpenApi } from './admin/consoleRoutes.ts';
import { weitingConsole } from './console.ts';
import { weitingAdmin } from './admin/routes.ts';
import { weitingAdminOpenApi } from './admin/openapi.ts';
import { weitingDemo } from './demo.ts';
import { weitingFrontOpenApi } from './openapi.ts';
import { weitingRefusal } from './refuse.ts';
import { weitingRoutes } from './routes.ts';
import { createWeitingServices } from './services.ts';

/** Front C: the 上海电信 微厅 open platform, partner apps of a WeChat official account. */
export const weitingFront = defineFront({
  ...manifest,
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
  demo: weitingDemo,
  console: weitingConsole,
});
