import type { Selectable } from 'kysely';
import type { JucaiAppTable } from '../tables.ts';
import { SealedCredentials, type CredentialDeps, type CredentialSpec } from '../../../core/credentials.ts';
import { check, checkText } from '../../../kernel/validation.ts';
import { randomDigits } from '../../../kernel/random.ts';
import type { Organization } from './organization.ts';

/** An app of a merchant: the `appId` callers send, and the secret they sign with. */
export interface JucaiApp {
  id: number;
  appId: string;
  /** The merchant's row id. */
  mchRef: number;
  name: string;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface JucaiAppWithSecret extends JucaiApp {
  secret: string;
}

/** The seed's app ids look like `MCH_A698612520`; Jeepay's are 24 hex digits: both are imported as they are. */
export const APP_ID_PATTERN = /^[A-Za-z0-9_]{1,32}$/;

const fromRow = (row: Selectable<JucaiAppTable>): JucaiApp => ({
  id: Number(row.id),
  appId: row.app_id,
  mchRef: Number(row.mch_ref),
  name: row.name,
  enabled: row.enabled === 1,
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
});

const SPEC: CredentialSpec<'jucai_apps', JucaiApp, JucaiAppWithSecret> = {
  table: 'jucai_apps',
  idColumn: 'app_id',
  searchColumns: ['app_id', 'name'],
  secretColumn: 'secret_sealed',
  what: 'app',
  label: 'app',
  idPattern: APP_ID_PATTERN,
  secret: { param: 'secret', generatedLength: 32, minLength: 16, importMinLength: 1, maxLength: 128 },
  fromRow,
  withSecret: (app, secret) => ({ ...app, secret }),
  enabled: (app) => app.enabled,
};

/** The merchants' apps, on the shared sealed-credential base. */
export class JucaiApps extends SealedCredentials<'jucai_apps', JucaiApp, JucaiAppWithSecret> {
  constructor(
    deps: CredentialDeps,
    private readonly organization: Organization,
  ) {
    super(deps, SPEC);
  }

  /** Creates an app of `mchNo`, or imports one (`appId`/`secret` given); `warning` flags a short imported secret. */
  async create(input: {
    mchNo: string;
    name?: string;
    appId?: string;
    secret?: string;
  }): Promise<JucaiAppWithSecret & { warning: string | undefined }> {
    if (input.appId !== undefined) check('appId', APP_ID_PATTERN.test(input.appId), 'appId must be 1–32 letters, digits or "_"');
    const appId = input.appId ?? `MCH_A${randomDigits(9)}`;
    const name = input.name ?? appId;
    checkText('name', name, 100);
    const merchant = await this.organization.getMerchant(input.mchNo);
    const now = this.clock.now();
    const { created, warning } = await this.insert(
      appId,
      { mch_ref: merchant.id, name, enabled: 1, created_at: now, updated_at: now },
      input.secret === undefined ? {} : { secret: input.secret, imported: true },
    );
    return { ...created, warning };
  }

  update(appId: string, changes: { name?: string; enabled?: boolean }): Promise<JucaiApp> {
    if (changes.name !== undefined) checkText('name', changes.name, 100);
    return this.updateColumns(appId, {
      ...(changes.name !== undefined ? { name: changes.name } : {}),
      ...(changes.enabled !== undefined ? { enabled: changes.enabled ? 1 : 0 } : {}),
      updated_at: this.clock.now(),
    });
  }
}
