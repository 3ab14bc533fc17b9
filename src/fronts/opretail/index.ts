import { defineFront } from '../kit/front.ts';
import { manifest } from './manifest.ts';
import { opretailConsole } from './console.ts';
import { opretailAdmin } from './admin/routes.ts';
import { opretailAdminOpenApi } from './admin/openapi.ts';
import { opretailDemo } from './demo.ts';
import { opretailFrontOpenApi } from './openapi.ts';
import { opretailRefusal } from './refuse.ts';
import { opretailRoutes } from './routes.ts';
import { createOpretailServices } from './services.ts';

/** Front D: the 万店掌 (Opretail) open-platform gateway, `/m.api`. */
export const opretailFront = defineFront({
  ...manifest,
  services: createOpretailServices,
  routes: opretailRoutes,
  paths: ['/m.api'],
  refuse: opretailRefusal,
  admin: opretailAdmin,
  openapi: [opretailFrontOpenApi, opretailAdminOpenApi],
  demo: opretailDemo,
  console: opretailConsole,
  debuggerInfo: (s) => ({ aid: s.settings.opretailAid, timestampWindowS: s.settings.opretailTimestampWindowS }),
});
