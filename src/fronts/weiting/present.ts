import type { WeitingApp, WeitingAppWithSecret } from '../../core/weiting/apps.ts';

/** A partner app as the admin API and the CLI show it; the secret only right after it was made. */
export function presentApp(app: WeitingApp | WeitingAppWithSecret) {
  return {
    appid: app.appid,
    name: app.name,
    status: app.enabled ? 'enabled' : 'disabled',
    allowedHosts: app.allowedHosts,
    dailyTokenLimit: app.dailyTokenLimit,
    ...('secret' in app ? { secret: app.secret } : {}),
    createdAt: new Date(app.createdAt).toISOString(),
    updatedAt: new Date(app.updatedAt).toISOString(),
  };
}
export type AppView = ReturnType<typeof presentApp> & { warnings?: string[] };
