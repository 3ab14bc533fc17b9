import { defineFront } from '../kit/front.ts';
import { opretailAdmin } from './admin.ts';
import { opretailAdminOpenApi } from './adminOpenapi.ts';
import { opretailCli } from './cli.ts';
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
  services: createOpretailServices,
  routes: opretailRoutes,
  paths: ['/m.api'],
  refuse: opretailRefusal,
  admin: opretailAdmin,
  openapi: [opretailFrontOpenApi, opretailAdminOpenApi],
  cli: opretailCli,
  demo: opretailDemo,
});
