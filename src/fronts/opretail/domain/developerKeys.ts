import type { Selectable } from 'kysely';
import { SealedCredentials, type CredentialDeps, type CredentialSpec } from '../../../core/credentials.ts';
import { check, checkInteger, checkText, LIMITS } from '../../../kernel/validation.ts';
import { randomString } from '../../../kernel/random.ts';
import type { OpretailDeveloperKeyTable } from '../tables.ts';

/** An Opretail developer key as the gateway's `open.gateway.authentication` describes it. */
export interface DeveloperKey {
  id: number;
  username: string;
  applicationId: string;
  applicationKey: string;
  /** 1 formal, 2 test. */
  keytype: 1 | 2;
  /** Expiry time (ms), or null for a key that never expires. */
  expire: number | null;
  enterpriseId: number;
  shopwebEnterpriseId: number | null;
  /** 1 enabled, 2 disabled. */
  switchStatus: 1 | 2;
  switchTime: number | null;
  /** 1 administrator, 2 normal, 3 vendor. */
  developerType: 1 | 2 | 3;
  supplierAccount: string | null;
  /** Own limits; null = the deployment's defaults. */
  ratePerSecond: number | null;
  ratePerDay: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface DeveloperKeyWithSecret extends DeveloperKey {
  applicationSecret: string;
}

export interface NewDeveloperKey {
  username: string;
  enterpriseId: number;
  /** Import an existing key (moving developers over); otherwise `<aid>-<random>`. */
  applicationKey?: string;
  /** Import an existing secret; otherwise 32 random characters. */
  applicationSecret?: string;
  applicationId?: string;
  keytype?: 1 | 2;
  expire?: number | null;
  shopwebEnterpriseId?: number | null;
  developerType?: 1 | 2 | 3;
  supplierAccount?: string | null;
  ratePerSecond?: number | null;
  ratePerDay?: number | null;
}

export type DeveloperKeyChanges = Partial<
  Pick<
    NewDeveloperKey,
    | 'username'
    | 'enterpriseId'
    | 'keytype'
    | 'expire'
    | 'shopwebEnterpriseId'
    | 'developerType'
    | 'supplierAccount'
    | 'ratePerSecond'
    | 'ratePerDay'
  >
>;

/** `ifexpire` of the seed: 1 never expires, 2 expired, 3 in service; derived from `expire`. */
export function ifexpire(key: Pick<DeveloperKey, 'expire'>, now: number): 1 | 2 | 3 {
  if (key.expire === null) return 1;
  return key.expire <= now ? 2 : 3;
}

const KEY_PATTERN = /^[A-Za-z0-9_.-]{1,20}$/;

function validate(input: DeveloperKeyChanges & { applicationKey?: string; applicationId?: string }): void {
  if (input.username !== undefined) checkText('username', input.username, 100);
  if (input.enterpriseId !== undefined) checkInteger('enterpriseId', input.enterpriseId, 1, LIMITS.enterpriseId);
  if (input.applicationKey !== undefined)
    check('applicationKey', KEY_PATTERN.test(input.applicationKey), 'applicationKey must be 1–20 letters, digits, "_", "." or "-"');
  if (input.applicationId !== undefined)
    check('applicationId', /^[A-Za-z0-9_-]{1,20}$/.test(input.applicationId), 'applicationId must be 1–20 letters, digits, "_" or "-"');
  if (input.keytype !== undefined) check('keytype', input.keytype === 1 || input.keytype === 2, 'keytype must be 1 (formal) or 2 (test)');
  if (input.developerType !== undefined)
    check('developerType', [1, 2, 3].includes(input.developerType), 'developerType must be 1 (administrator), 2 (normal) or 3 (vendor)');
  if (input.shopwebEnterpriseId != null) checkInteger('shopwebEnterpriseId', input.shopwebEnterpriseId, 1, LIMITS.enterpriseId);
  if (input.supplierAccount != null) checkText('supplierAccount', input.supplierAccount, 100);
  if (input.ratePerSecond != null) checkInteger('ratePerSecond', input.ratePerSecond, 1, LIMITS.ratePerSecond);
  if (input.ratePerDay != null) checkInteger('ratePerDay', input.ratePerDay, 1, LIMITS.ratePerDay);
  if (input.expire != null) check('expire', Number.isFinite(input.expire), 'expire must be a time');
}

type Row = Selectable<OpretailDeveloperKeyTable>;

function fromRow(row: Row): DeveloperKey {
  return {
    id: Number(row.id),
    username: row.username,
    applicationId: row.application_id,
    applicationKey: row.application_key,
    keytype: row.keytype as 1 | 2,
    expire: row.expire === null ? null : Number(row.expire),
    enterpriseId: Number(row.enterprise_id),
    shopwebEnterpriseId: row.shopweb_enterprise_id === null ? null : Number(row.shopweb_enterprise_id),
    switchStatus: row.switch_status as 1 | 2,
    switchTime: row.switch_time === null ? null : Number(row.switch_time),
    developerType: row.developer_type as 1 | 2 | 3,
    supplierAccount: row.supplier_account,
    ratePerSecond: row.rate_per_second,
    ratePerDay: row.rate_per_day,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

const SPEC: CredentialSpec<'opretail_developer_keys', DeveloperKey, DeveloperKeyWithSecret> = {
  table: 'opretail_developer_keys',
  idColumn: 'application_key',
  searchColumns: ['application_key', 'username', 'application_id', 'supplier_account'],
  children: [{ table: 'opretail_grants', column: 'key_id', label: 'grants', owned: true }],
  secretColumn: 'application_secret_sealed',
  what: 'developerKey',
  label: 'developer key',
  idPattern: KEY_PATTERN,
  secret: { param: 'applicationSecret', generatedLength: 32, minLength: 16, importMinLength: 1, maxLength: 128 },
  fromRow,
  withSecret: (key, applicationSecret) => ({ ...key, applicationSecret }),
  enabled: (key) => key.switchStatus === 1,
  // The seed's switchStatus: 1 on, 2 off, with the time it last changed.
  enabledColumns: (enabled, now) => ({ switch_status: enabled ? 1 : 2, switch_time: now }),
  expired: (key, now) => ifexpire(key, now) === 2,
};

/** Developer keys of the Opretail gateway: issuing, importing, switching, expiring, rotating. */
export class DeveloperKeys extends SealedCredentials<'opretail_developer_keys', DeveloperKey, DeveloperKeyWithSecret> {
  constructor(
    deps: CredentialDeps,
    private readonly defaultAid: string,
  ) {
    super(deps, SPEC);
  }

  /**
   * Issues a key, or imports one (`applicationKey`/`applicationSecret` given: a developer moving
   * over keeps signing as before). `warning` says when an imported secret is weaker than kaifang's own.
   */
  async create(input: NewDeveloperKey): Promise<DeveloperKeyWithSecret & { warning: string | undefined }> {
    validate(input);
    const now = this.clock.now();
    const applicationId = input.applicationId ?? this.defaultAid;
    const applicationKey = input.applicationKey ?? `${applicationId}-${randomString(12)}`;
    const { created, warning } = await this.insert(
      applicationKey,
      {
        username: input.username,
        application_id: applicationId,
        keytype: input.keytype ?? 1,
        expire: input.expire ?? null,
        enterprise_id: input.enterpriseId,
        shopweb_enterprise_id: input.shopwebEnterpriseId ?? null,
        switch_status: 1,
        switch_time: now,
        developer_type: input.developerType ?? 2,
        supplier_account: input.supplierAccount ?? null,
        rate_per_second: input.ratePerSecond ?? null,
        rate_per_day: input.ratePerDay ?? null,
        created_at: now,
        updated_at: now,
      },
      input.applicationSecret === undefined ? {} : { secret: input.applicationSecret, imported: true },
    );
    return { ...created, warning };
  }

  async update(applicationKey: string, changes: DeveloperKeyChanges): Promise<DeveloperKey> {
    validate(changes);
    const set: Partial<Row> = { updated_at: this.clock.now() };
    if (changes.username !== undefined) set.username = changes.username;
    if (changes.enterpriseId !== undefined) set.enterprise_id = changes.enterpriseId;
    if (changes.keytype !== undefined) set.keytype = changes.keytype;
    if (changes.expire !== undefined) set.expire = changes.expire;
    if (changes.shopwebEnterpriseId !== undefined) set.shopweb_enterprise_id = changes.shopwebEnterpriseId;
    if (changes.developerType !== undefined) set.developer_type = changes.developerType;
    if (changes.supplierAccount !== undefined) set.supplier_account = changes.supplierAccount;
    if (changes.ratePerSecond !== undefined) set.rate_per_second = changes.ratePerSecond;
    if (changes.ratePerDay !== undefined) set.rate_per_day = changes.ratePerDay;
    return this.updateColumns(applicationKey, set);
  }

  /** Expires the key at `at` (default now); `null` makes it never expire. */
  expire(applicationKey: string, at: number | null = this.clock.now()): Promise<DeveloperKey> {
    return this.updateColumns(applicationKey, { expire: at, updated_at: this.clock.now() });
  }
}
