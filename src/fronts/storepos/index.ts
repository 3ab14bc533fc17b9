import { defineFront } from '../kit/front.ts';
import { storeposConsole } from './console.ts';
import * as m004 from './migrations/004_storepos.ts';
import { storeposAdmin } from './admin/routes.ts';
import { storeposAdminOpenApi } from './admin/openapi.ts';
import { storeposCli } from './admin/cli.ts';
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
  store: { migrations: { '004_storepos': m004 }, tables: ['storepos_agents', 'storepos_grants'] },
  services: createStoreposServices,
  routes: storeposRoutes,
  paths: ['/Mch/', '/Open/'],
  refuse: storeposRefusal,
  admin: storeposAdmin,
  openapi: [storeposFrontOpenApi, storeposAdminOpenApi],
  cli: storeposCli,
  demo: storeposDemo,
  console: storeposConsole,
});
