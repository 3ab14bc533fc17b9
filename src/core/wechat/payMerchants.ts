import type { Selectable } from 'kysely';
import type { WechatPayMerchantTable } from '../../store/schema.ts';
import { SealedCredentials, type CredentialDeps, type CredentialSpec } from '../credentials.ts';
import { check, checkText } from '../../kernel/validation.ts';
import { WECHAT_APPID_PATTERN } from './miniPrograms.ts';

/** A WeChat Pay merchant (service provider mode): its mch_id, the appid it pays under, and its API v2 key (sealed). */
export interface WechatPayMerchant {
  id: number;
  mchId: string;
  appid: string;
  name: string;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface WechatPayMerchantWithKey extends WechatPayMerchant {
  key: string;
}

/** WeChat Pay merchant numbers are digits (10 in practice). */
export const WECHATPAY_MCH_ID_PATTERN = /^\d{6,20}$/;

function fromRow(row: Selectable<WechatPayMerchantTable>): WechatPayMerchant {
  return {
    id: Number(row.id),
    mchId: row.mch_id,
    appid: row.appid,
    name: row.name,
    enabled: row.enabled === 1,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

const SPEC: CredentialSpec<'wechat_pay_merchants', WechatPayMerchant, WechatPayMerchantWithKey> = {
  table: 'wechat_pay_merchants',
  idColumn: 'mch_id',
  searchColumns: ['mch_id', 'appid', 'name'],
  secretColumn: 'key_sealed',
  what: 'wechatPayMerchant',
  label: 'WeChat Pay merchant',
  idPattern: WECHATPAY_MCH_ID_PATTERN,
  // The API v2 key is set on pay.weixin.qq.com: exactly 32 characters, never made up here.
  secret: { param: 'key', minLength: 32, importMinLength: 32, maxLength: 32 },
  fromRow,
  withSecret: (merchant, key) => ({ ...merchant, key }),
  enabled: (merchant) => merchant.enabled,
};

function validate(input: { mchId?: string; appid?: string; name?: string }): void {
  if (input.mchId !== undefined)
    check('mchId', WECHATPAY_MCH_ID_PATTERN.test(input.mchId), 'mchId must be the WeChat Pay merchant number (6–20 digits)');
  if (input.appid !== undefined)
    check('appid', WECHAT_APPID_PATTERN.test(input.appid), 'appid must be "wx" followed by 16 letters or digits');
  if (input.name !== undefined) checkText('name', input.name, 100);
}

/** The WeChat Pay merchants the platform holds API v2 keys for; fronts (jucai) name them by mch_id. */
export class WechatPayMerchants extends SealedCredentials<'wechat_pay_merchants', WechatPayMerchant, WechatPayMerchantWithKey> {
  constructor(deps: CredentialDeps) {
    super(deps, SPEC);
  }

  async create(input: { mchId: string; appid: string; key: string; name?: string }): Promise<WechatPayMerchant> {
    check('mchId', typeof input.mchId === 'string' && input.mchId !== '', 'mchId is required');
    check('appid', typeof input.appid === 'string' && input.appid !== '', 'appid is required');
    const name = input.name ?? input.mchId;
    validate({ ...input, name });
    const now = this.clock.now();
    const { created } = await this.insert(
      input.mchId,
      { appid: input.appid, name, enabled: 1, created_at: now, updated_at: now },
      { secret: input.key },
    );
    const { key: _key, ...merchant } = created;
    return merchant;
  }

  update(mchId: string, changes: { appid?: string; name?: string }): Promise<WechatPayMerchant> {
    validate(changes);
    return this.updateColumns(mchId, {
      ...(changes.appid !== undefined ? { appid: changes.appid } : {}),
      ...(changes.name !== undefined ? { name: changes.name } : {}),
      updated_at: this.clock.now(),
    });
  }

  /** Replaces the API v2 key (after it was reset on pay.weixin.qq.com). */
  async setKey(mchId: string, key: string): Promise<WechatPayMerchant> {
    check('key', typeof key === 'string' && key !== '', 'key is required');
    const { key: _key, ...merchant } = await this.rotateSecret(mchId, key);
    return merchant;
  }
}
