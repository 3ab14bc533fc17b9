import { formatDateTime } from '../../kernel/cst.ts';
import { ifexpire, type DeveloperKey, type DeveloperKeyWithSecret } from './domain/developerKeys.ts';
import type { GatewayMethod } from './domain/gatewayMethods.ts';
import type { OpretailDeveloperRecord } from './wire.ts';

/**
 * A developer key in the field names and types of the seed's `open.gateway.authentication` table
 * (times as `yyyy-MM-dd HH:mm:ss` CST, `switchStatus` as a string). The gateway, the admin API and
 * the CLI all show a key this way. The secret is included only when given (creation, rotation,
 * and the authentication method, whose caller already holds it).
 */
export function presentDeveloperKey(
  key: DeveloperKey | DeveloperKeyWithSecret,
  now: number,
  withSecret = false,
): Omit<OpretailDeveloperRecord, 'applicationSecret'> & { applicationSecret?: string } {
  return {
    id: key.id,
    username: key.username,
    applicationId: key.applicationId,
    applicationKey: key.applicationKey,
    ...(withSecret && 'applicationSecret' in key ? { applicationSecret: key.applicationSecret } : {}),
    keytype: key.keytype,
    ifexpire: ifexpire(key, now),
    expire: key.expire === null ? null : formatDateTime(key.expire),
    enterpriseId: key.enterpriseId,
    shopwebEnterpriseId: key.shopwebEnterpriseId,
    switchStatus: String(key.switchStatus),
    switchTime: key.switchTime === null ? null : formatDateTime(key.switchTime),
    developerType: key.developerType,
    supplierAccount: key.supplierAccount,
  };
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * A key as the operator sees it (admin API and CLI): the gateway's presentation plus the key's own
 * rate limits, with its times in ISO 8601 UTC like every time in admin JSON (the gateway's own
 * replies keep the seed's China-time text), and the admin API's common fields: `status`
 * ("enabled" / "disabled", what `switchStatus` "1" / "2" says), `createdAt`, `updatedAt`, and the
 * secret, right after it was made, as `secret` (the gateway's reply calls it applicationSecret).
 */
export function keyView(key: DeveloperKey | DeveloperKeyWithSecret, now: number, withSecret = false) {
  const { applicationSecret, ...shown } = presentDeveloperKey(key, now, withSecret);
  return {
    ...shown,
    status: key.switchStatus === 1 ? ('enabled' as const) : ('disabled' as const),
    expire: iso(key.expire),
    switchTime: iso(key.switchTime),
    ratePerSecond: key.ratePerSecond,
    ratePerDay: key.ratePerDay,
    ...(applicationSecret !== undefined ? { secret: applicationSecret } : {}),
    createdAt: new Date(key.createdAt).toISOString(),
    updatedAt: new Date(key.updatedAt).toISOString(),
  };
}
export type KeyView = ReturnType<typeof keyView>;

/** A gateway method as admin JSON shows it (times ISO 8601 UTC; `status` as every admin resource has it). */
export function methodView(method: GatewayMethod) {
  const { enabled, ...rest } = method;
  return {
    ...rest,
    status: enabled ? ('enabled' as const) : ('disabled' as const),
    createdAt: new Date(method.createdAt).toISOString(),
    updatedAt: new Date(method.updatedAt).toISOString(),
  };
}
export type MethodView = ReturnType<typeof methodView>;

export interface GrantsView {
  applicationKey: string;
  /** Administrator keys may call every method without grants. */
  allMethods: boolean;
  grants: MethodView[];
}
