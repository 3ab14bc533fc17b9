import { defineFront } from '../kit/front.ts';
import { jucaiConsoleAdmin, jucaiConsoleAdminOpenApi } from './admin/consoleRoutes.ts';
import { jucaiConsole } from './console.ts';
import * as m007 from './migrations/007_jucai.ts';
import * as m010 from './migrations/010_jucai_channel_keys.ts';
import { jucaiAdmin } from './admin/routes.ts';
import { jucaiAdminOpenApi } from './admin/openapi.ts';
import { jucaiCli } from './admin/cli.ts';
import { jucaiDemo } from './demo.ts';
import { jucaiFrontOpenApi } from './openapi.ts';
import { jucaiRefusal } from './refuse.ts';
import { jucaiRoutes } from './routes.ts';
import { createJucaiServices } from './services.ts';
import { jucaiSettings } from './settings.ts';

/** Front B: the 巨彩商服 payment identity API, payment authorization code → payer identity. */
export const jucaiFront = defineFront({
  name: 'jucai',
  title: '巨彩商服 payment identity API: ISVs, merchants, channels and apps',
  settings: jucaiSettings,
  store: {
    migrations: { '007_jucai': m007, '010_jucai_channel_keys': m010 },
    tables: ['jucai_isvs', 'jucai_merchants', 'jucai_apps', 'jucai_channels'],
  },
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
  cli: jucaiCli,
  demo: jucaiDemo,
  console: jucaiConsole,
});
