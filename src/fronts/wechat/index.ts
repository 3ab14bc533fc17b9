import type { WechatApps } from '../../core/wechat/index.ts';
import { defineFront } from '../kit/front.ts';
import { manifest } from './manifest.ts';
import { wechatConsole } from './console.ts';
import { wechatAdmin } from './admin/routes.ts';
import { wechatAdminOpenApi } from './admin/openapi.ts';

/**
 * Not a wire front: the operator's side of the WeChat apps the platform holds secrets for
 * (core/wechat), which several fronts use. It has what a front has but wire routes: admin routes
 * at `/admin/api/wechat`, `kaifang wechat …`, its OpenAPI fragment.
 */
export const wechatApps = defineFront({
  ...manifest,
  services: (core): WechatApps => core.wechat,
  admin: wechatAdmin,
  openapi: [wechatAdminOpenApi],
  console: wechatConsole,
});
