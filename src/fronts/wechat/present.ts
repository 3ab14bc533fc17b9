import type { MiniProgram } from '../../core/wechat/miniPrograms.ts';

/** A mini-program as the admin API and the CLI show it; its secret never is. */
export function presentMiniProgram(app: MiniProgram) {
  return {
    appid: app.appid,
    name: app.name,
    status: app.enabled ? 'enabled' : 'disabled',
    createdAt: new Date(app.createdAt).toISOString(),
    updatedAt: new Date(app.updatedAt).toISOString(),
  };
}
export type MiniProgramView = ReturnType<typeof presentMiniProgram>;
