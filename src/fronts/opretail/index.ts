import { defineFront } from '../kit/front.ts';
import { opretailConsole } from './console.ts';
import * as m002 from './migrations/002_opretail.ts';
import { opretailAdmin } from './admin/routes.ts';
import { opretailAdminOpenApi } from './admin/openapi.ts';
import { opretailCli } from './admin/cli.ts';
import { opretailDemo } from './demo.ts';
import { opretailFrontOpenApi } from './openapi.ts';
import { opretailRefusal } from './refuse.ts';
import { opretailRoutes } from './routes.ts';
import { createOpretailServices } from './services.ts';
import { opretailSettings } from './settings.ts';

/** Front D: the 万店掌 (Opretail) open-platform gateway, `/m.api`. */
export const opretailFront = defineFront({
  name: 'opretail',
  title: '万店掌 (Opretail) gateway: developer keys and methods',
  settings: opretailSettings,
  store: { migrations: { '002_opretail': m002 }, tables: ['opretail_developer_keys', 'opretail_methods', 'opretail_grants'] },
  services: createOpretailServices,
  routes: opretailRoutes,
  paths: ['/m.api'],
  refuse: opretailRefusal,
  admin: opretailAdmin,
  openapi: [opretailFrontOpenApi, opretailAdminOpenApi],
  cli: opretailCli,
  demo: opretailDemo,
  console: opretailConsole,
  debuggerInfo: (s) => ({ aid: s.settings.opretailAid, timestampWindowS: s.settings.opretailTimestampWindowS }),
});
