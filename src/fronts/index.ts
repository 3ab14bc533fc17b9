/**
 * The fronts of this kaifang, one line each, as Django's INSTALLED_APPS: adding a front is its
 * folder under src/fronts/ and its line here; removing one is deleting both. Everything else — the
 * HTTP app, the admin API, the OpenAPI document, the CLI, `serve --demo`, the settings table, the
 * migration set, the store copy, the client entry and the test run — finds the fronts from here
 * (through fronts/all.ts) or from their folders. README, "Developing kaifang", has the checklist.
 */
export { jucaiFront } from './jucai/index.ts';
export { opretailFront } from './opretail/index.ts';
export { storeposFront } from './storepos/index.ts';
export { wechatApps } from './wechat/index.ts';
export { weitingFront } from './weiting/index.ts';
