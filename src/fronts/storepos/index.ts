import { defineFront } from '../kit/front.ts';
import { storeposAdmin } from './admin.ts';
import { storeposAdminOpenApi } from './adminOpenapi.ts';
import { storeposCli } from './cli.ts';
import { storeposDemo } from './demo.ts';
import { storeposFrontOpenApi } from './openapi.ts';
import { storeposRefusal } from './refuse.ts';
import { storeposRoutes } from './routes.ts';
import { createStoreposServices } from './services.ts';
import { storeposSettings } from './settings.ts';

/** Front A: the 超赢 (storepos) agent API: SMS codes and WeChat mini-program login. */
export const storeposFront = defineFront({
  name: 'storepos',
  title: '超赢 (storepos) agent API: agents and their mini-program grants',
  settings: storeposSettings,
  services: createStoreposServices,
  routes: storeposRoutes,
  paths: ['/Mch/', '/Open/'],
  refuse: storeposRefusal,
  admin: storeposAdmin,
  openapi: [storeposFrontOpenApi, storeposAdminOpenApi],
  cli: storeposCli,
  demo: storeposDemo,
});
