import type { WechatApps } from '../../core/wechat/index.ts';
import { defineFront } from '../kit/front.ts';
import { wechatConsole } from './console.ts';
import { wechatAdmin } from './admin/routes.ts';
import { wechatAdminOpenApi } from './admin/openapi.ts';
import { wechatCli } from './admin/cli.ts';

/**
 * Not a wire front: the operator's side of the WeChat apps the platform holds secrets for
 * (core/wechat), which several fronts use. It has what a front has but wire routes: admin routes
 * at `/admin/api/wechat`, `kaifang wechat …`, its OpenAPI fragment.
 */
export const wechatApps = defineFront({
  name: 'wechat',
  title: 'WeChat apps the platform holds secrets for (mini-programs, WeChat Pay merchants, official accounts)',
  settings: {},
  services: (core): WechatApps => core.wechat,
  admin: wechatAdmin,
  openapi: [wechatAdminOpenApi],
  cli: wechatCli,
  console: wechatConsole,
});
