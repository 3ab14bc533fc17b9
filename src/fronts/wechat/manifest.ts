import type { WechatApps } from '../../core/wechat/index.ts';
import { defineManifest } from '../kit/front.ts';

/** What `kaifang wechat …` and the settings need of this front, without its server (kit/front.ts). */
export const manifest = defineManifest({
  name: 'wechat',
  title: 'WeChat apps the platform holds secrets for (mini-programs, WeChat Pay merchants, official accounts)',
  settings: {},
  cli: async () => ({ commands: (await import('./admin/cli.ts')).wechatCli, services: (core): WechatApps => core.wechat }),
});
