import type { WeitingApp, WeitingAppWithSecret } from '../domain/apps.ts';
import type { WeitingUser } from '../domain/users.ts';

const iso = (ms: number) => new Date(ms).toISOString();

/** A partner app as the admin API and the CLI show it; the secret only right after it was made. */
export function presentApp(app: WeitingApp | WeitingAppWithSecret) {
  return {
    appid: app.appid,
    name: app.name,
    status: app.enabled ? 'enabled' : 'disabled',
    allowedHosts: app.allowedHosts,
    dailyTokenLimit: app.dailyTokenLimit,
    ...('secret' in app ? { secret: app.secret } : {}),
    createdAt: iso(app.createdAt),
    updatedAt: iso(app.updatedAt),
  };
}
export type AppView = ReturnType<typeof presentApp> & { warnings?: string[] };

/** A user and their devices as the admin API and the CLI show them (times ISO 8601 UTC). */
export function presentUser(user: WeitingUser) {
  return {
    ...user,
    createdAt: iso(user.createdAt),
    updatedAt: iso(user.updatedAt),
    accounts: user.accounts.map((a) => ({ ...a, boundAt: iso(a.boundAt) })),
  };
}

/** A record with its `createdAt` as ISO 8601 UTC, as admin JSON writes times. */
export const isoCreatedAt = <T extends { createdAt: number }>(record: T) => ({ ...record, createdAt: iso(record.createdAt) });
