import { defineFront } from '../kit/front.ts';
import { jucaiAdmin } from './admin.ts';
import { jucaiAdminOpenApi } from './adminOpenapi.ts';
import { jucaiCli } from './cli.ts';
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
  services: createJucaiServices,
  routes: jucaiRoutes,
  paths: ['/pay/'],
  refuse: jucaiRefusal,
  admin: jucaiAdmin,
  openapi: [jucaiFrontOpenApi, jucaiAdminOpenApi],
  cli: jucaiCli,
  demo: jucaiDemo,
});
