import { defineFront } from '../kit/front.ts';
import { manifest } from './manifest.ts';
import { storeposConsole } from './console.ts';
import { storeposAdmin } from './admin/routes.ts';
import { storeposAdminOpenApi } from './admin/openapi.ts';
import { storeposDemo } from './demo.ts';
import { storeposFrontOpenApi } from './openapi.ts';
import { storeposRefusal } from './refuse.ts';
import { storeposRoutes } from './routes.ts';
import { createStoreposServices } from './services.ts';

/** Front A: the 超赢 (storepos) agent API: SMS codes and WeChat mini-program login. */
export const storeposFront = defineFront({
  ...manifest,
  services: createStoreposServices,
  routes: storeposRoutes,
  paths: ['/Mch/', '/Open/'],
  refuse: storeposRefusal,
  admin: storeposAdmin,
  openapi: [storeposFrontOpenApi, storeposAdminOpenApi],
  demo: storeposDemo,
  console: storeposConsole,
});
