import { defineFront } from '../kit/front.ts';
import { manifest } from './manifest.ts';
import { jucaiConsoleAdmin, jucaiConsoleAdminOpenApi } from './admin/consoleRoutes.ts';
import { jucaiConsole } from './console.ts';
import { jucaiAdmin } from './admin/routes.ts';
import { jucaiAdminOpenApi } from './admin/openapi.ts';
import { jucaiDemo } from './demo.ts';
import { jucaiFrontOpenApi } from './openapi.ts';
import { jucaiRefusal } from './refuse.ts';
import { jucaiRoutes } from './routes.ts';
import { createJucaiServices } from './services.ts';

/** Front B: the 巨彩商服 payment identity API, payment authorization code → payer identity. */
export const jucaiFront = defineFront({
  ...manifest,
  services: createJucaiServices,
  routes: jucaiRoutes,
  paths: ['/pay/'],
  refuse: jucaiRefusal,
  // Its admin routes and the console's additions, under one prefix.
  admin: async (app, options) => {
    await app.register(jucaiAdmin, options);
    await app.register(jucaiConsoleAdmin, options);
  },
  openapi: [jucaiFrontOpenApi, jucaiAdminOpenApi, jucaiConsoleAdminOpenApi],
  demo: jucaiDemo,
  console: jucaiConsole,
});
