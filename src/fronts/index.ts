import { jucaiFront } from './jucai/index.ts';
import { opretailFront } from './opretail/index.ts';
import { storeposFront } from './storepos/index.ts';
import { wechatApps } from './wechat/index.ts';
import { weitingFront } from './weiting/index.ts';

/**
 * Every front of kaifang, and the shared WeChat apps' operator surface. The HTTP app, the admin
 * API, the OpenAPI document, the CLI and `serve --demo` loop over this list: adding a front is its
 * folder, its migration, and one line here.
 */
export const fronts = [opretailFront, storeposFront, jucaiFront, weitingFront, wechatApps] as const;

export type Fronts = typeof fronts;
