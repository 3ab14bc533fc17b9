import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../../store/schema.ts';
import type { JucaiChannelTable } from '../tables.ts';
import { TtlCache } from '../../../core/cache.ts';
import type { Clock } from '../../../kernel/clock.ts';
import { SealedCredentials, type CredentialDeps, type CredentialSpec } from '../../../core/credentials.ts';
import { InvalidInput, NotFound } from '../../../kernel/errors.ts';
import { check } from '../../../kernel/validation.ts';
import { WECHATPAY_MCH_ID_PATTERN, type WechatPayMerchants } from '../../../core/wechat/payMerchants.ts';
import type { Organization } from './organization.ts';
import type { WayCode } from '../wire.ts';

export type { WayCode };

/** Every `wayCode` (wire.ts names them as a type). */
export const WAY_CODES: readonly WayCode[] = ['WECHAT', 'UNIONPAY'];

/** WECHAT: which WeChat Pay merchant (service provider) pays, and the sub-merchant under it. */
export interface WechatChannel {
  wayCode: 'WECHAT';
  enabled: boolean;
  wechatPayMchId: string;
  subMchId: string | null;
  /** The sub-merchant's official-account appid, when the request gives none. */
  subAppid: string | null;
  updatedAt: number;
}

/** UNIONPAY: the operator's acquirer bridge; its HMAC secret is sealed and never shown. */
export interface UnionPayChannel {
  wayCode: 'UNIONPAY';
  enabled: boolean;
  bridgeUrl: string;
  merchantNo: string;
  updatedAt: number;
}

export type Channel = WechatChannel | UnionPayChannel;

/** A channel as a call needs it: the bridge secret in clear. */
export type ChannelForCall = WechatChannel | (UnionPayChannel & { secret: string });

export interface ChannelInput {
  enabled?: boolean;
  wechatPayMchId?: string;
  subMchId?: string | null;
  subAppid?: string | null;
  bridgeUrl?: string;
  merchantNo?: string;
  secret?: string;
}

const PRINTABLE = /^[\x21-\x7e]+$/;

function fromRow(row: Selectable<JucaiChannelTable>): Channel {
  const base = { enabled: row.enabled === 1, updatedAt: Number(row.updated_at) };
  if (row.way_code === 'WECHAT')
    return { wayCode: 'WECHAT', ...base, wechatPayMchId: row.wechat_pay_mch_id ?? '', subMchId: row.sub_mch_id, subAppid: row.sub_appid };
  return { wayCode: 'UNIONPAY', ...base, bridgeUrl: row.bridge_url ?? '', merchantNo: row.bridge_merchant_no ?? '' };
}

export function checkWayCode(wayCode: string): WayCode {
  if (!(WAY_CODES as readonly string[]).includes(wayCode)) throw new InvalidInput('wayCode', `wayCode must be ${WAY_CODES.join(' or ')}`);
  return wayCode as WayCode;
}

/** A UNIONPAY channel row as the sealed-credential base holds it: its bridge secret, and its switch. */
interface BridgeKey {
  /** The merchant's row id. */
  id: number;
  enabled: boolean;
}

const BRIDGE_SECRET: CredentialSpec<'jucai_channels', BridgeKey, BridgeKey & { secret: string }> = {
  table: 'jucai_channels',
  idColumn: 'channel_key',
  secretColumn: 'bridge_secret_sealed',
  what: 'channel',
  label: 'UNIONPAY channel',
  // The bridge's HMAC-SHA256 key: the operator's (shared with their bridge), never made up here.
  secret: { param: 'secret', minLength: 16, importMinLength: 16, maxLength: 128 },
  fromRow: (row) => ({ id: Number(row.mch_ref), enabled: row.enabled === 1 }),
  withSecret: (channel, secret) => ({ ...channel, secret }),
  enabled: (channel) => channel.enabled,
};

/**
 * The UNIONPAY channels' bridge secrets, sealed, rotated, opened and cached by the sealed-credential
 * base like every other secret, each row named by its `channel_key`. Only UNIONPAY rows are asked
 * (a WECHAT row has no secret).
 */
class BridgeSecrets extends SealedCredentials<'jucai_channels', BridgeKey, BridgeKey & { secret: string }> {
  constructor(deps: CredentialDeps) {
    super(deps, BRIDGE_SECRET);
  }

  /** Inserts a UNIONPAY channel row with its secret sealed, in one statement. */
  async create(channelKey: string, values: Record<string, unknown>, secret: string): Promise<void> {
    await this.insert(channelKey, values, { secret });
  }
}

const channelKey = (mchRef: number, wayCode: WayCode) => `${mchRef}:${wayCode}`;

/**
 * A merchant's channel per `wayCode`. Setting one replaces it (fields not given keep their value);
 * the bridge secret is the sealed-credential base's (`BridgeSecrets`). A call looks its channel up
 * through a per-process cache bounded by `cacheTtlMs`, and the secret through the base's.
 */
export class Channels {
  private readonly db: Kysely<Database>;
  private readonly clock: Clock;
  private readonly cache: TtlCache<Channel>;
  private readonly secrets: BridgeSecrets;

  constructor(
    deps: CredentialDeps,
    private readonly organization: Organization,
    private readonly payMerchants: WechatPayMerchants,
  ) {
    this.db = deps.db;
    this.clock = deps.clock;
    this.cache = new TtlCache(deps.cache.size, deps.cache.ttlMs);
    this.secrets = new BridgeSecrets(deps);
  }

  async set(mchNo: string, wayCodeText: string, input: ChannelInput): Promise<Channel> {
    const wayCode = checkWayCode(wayCodeText);
    const merchant = await this.organization.getMerchant(mchNo);
    const existing = await this.row(merchant.id, wayCode);
    const now = this.clock.now();
    const values: Partial<Selectable<JucaiChannelTable>> = {
      enabled: input.enabled === undefined ? (existing?.enabled ?? 1) : input.enabled ? 1 : 0,
      updated_at: now,
    };
    if (wayCode === 'WECHAT') {
      const mchId = input.wechatPayMchId ?? existing?.wechat_pay_mch_id ?? undefined;
      check(
        'wechatPayMchId',
        mchId !== undefined,
        'wechatPayMchId is required: the WeChat Pay merchant (kaifang wechat pay-merchants) that pays',
      );
      check('wechatPayMchId', WECHATPAY_MCH_ID_PATTERN.test(mchId!), 'wechatPayMchId must be a WeChat Pay merchant number (6–20 digits)');
      await this.payMerchants.get(mchId!);
      if (input.subMchId != null)
        check('subMchId', WECHATPAY_MCH_ID_PATTERN.test(input.subMchId), 'subMchId must be a WeChat Pay merchant number (6–20 digits)');
      if (input.subAppid != null)
        check('subAppid', /^wx[0-9A-Za-z]{16}$/.test(input.subAppid), 'subAppid must be "wx" followed by 16 letters or digits');
      Object.assign(values, {
        wechat_pay_mch_id: mchId,
        ...(input.subMchId !== undefined ? { sub_mch_id: input.subMchId } : {}),
        ...(input.subAppid !== undefined ? { sub_appid: input.subAppid } : {}),
      });
    } else {
      const url = input.bridgeUrl ?? existing?.bridge_url ?? undefined;
      check('bridgeUrl', url !== undefined, 'bridgeUrl is required: the acquirer bridge that answers for UnionPay');
      let parsed: URL | undefined;
      try {
        parsed = new URL(url!);
      } catch {
        /* named below */
      }
      check(
        'bridgeUrl',
        parsed !== undefined && (parsed.protocol === 'http:' || parsed.protocol === 'https:'),
        'bridgeUrl must be an absolute http(s) URL',
      );
      const merchantNo = input.merchantNo ?? existing?.bridge_merchant_no ?? undefined;
      check(
        'merchantNo',
        merchantNo !== undefined && PRINTABLE.test(merchantNo) && merchantNo.length <= 64,
        "merchantNo (the merchant's number at the acquirer) is required: 1–64 printable ASCII characters",
      );
      if (input.secret !== undefined) this.secrets.checkSecret(input.secret);
      check(
        'secret',
        input.secret !== undefined || existing?.bridge_secret_sealed != null,
        "secret (the bridge's HMAC-SHA256 key) is required",
      );
      Object.assign(values, { bridge_url: url, bridge_merchant_no: merchantNo });
    }
    const key = channelKey(merchant.id, wayCode);
    if (existing) {
      await this.db
        .updateTable('jucai_channels')
        .set({ ...values, channel_key: key })
        .where('mch_ref', '=', merchant.id)
        .where('way_code', '=', wayCode)
        .execute();
      if (input.secret !== undefined) await this.secrets.rotateSecret(key, input.secret);
    } else {
      const row = {
        mch_ref: merchant.id,
        way_code: wayCode,
        enabled: values.enabled!,
        wechat_pay_mch_id: values.wechat_pay_mch_id ?? null,
        sub_mch_id: values.sub_mch_id ?? null,
        sub_appid: values.sub_appid ?? null,
        bridge_url: values.bridge_url ?? null,
        bridge_merchant_no: values.bridge_merchant_no ?? null,
        created_at: now,
        updated_at: now,
      };
      if (input.secret !== undefined) await this.secrets.create(key, row, input.secret);
      else
        await this.db
          .insertInto('jucai_channels')
          .values({ ...row, channel_key: key, bridge_secret_sealed: null })
          .execute();
    }
    this.cache.delete(key);
    return fromRow((await this.row(merchant.id, wayCode))!);
  }

  async list(mchNo: string): Promise<Channel[]> {
    const merchant = await this.organization.getMerchant(mchNo);
    const rows = await this.db.selectFrom('jucai_channels').selectAll().where('mch_ref', '=', merchant.id).orderBy('way_code').execute();
    return rows.map(fromRow);
  }

  /** Forgets every cached channel and bridge secret in this process (after a merchant was deleted with its channels). */
  forget(): void {
    this.cache.clear();
    this.secrets.forget();
  }

  async remove(mchNo: string, wayCodeText: string): Promise<void> {
    const wayCode = checkWayCode(wayCodeText);
    const merchant = await this.organization.getMerchant(mchNo);
    const res = await this.db
      .deleteFrom('jucai_channels')
      .where('mch_ref', '=', merchant.id)
      .where('way_code', '=', wayCode)
      .executeTakeFirst();
    this.cache.delete(channelKey(merchant.id, wayCode));
    this.secrets.forget(channelKey(merchant.id, wayCode));
    if (Number(res.numDeletedRows) === 0) throw new NotFound('channel', `merchant ${mchNo} has no ${wayCode} channel`);
  }

  /** The enabled channel of a merchant (by row id) for a call, with its secret; undefined when there is none. Cached. */
  async forCall(mchRef: number, wayCode: WayCode): Promise<ChannelForCall | undefined> {
    const key = channelKey(mchRef, wayCode);
    const channel = await this.cache.get(key, async () => {
      const row = await this.row(mchRef, wayCode);
      // A UNIONPAY row without its secret (a set that stopped half-way) is no channel yet.
      return row && (row.way_code !== 'UNIONPAY' || row.bridge_secret_sealed !== null) ? fromRow(row) : undefined;
    });
    if (!channel?.enabled) return undefined;
    if (channel.wayCode === 'WECHAT') return channel;
    const sealed = await this.secrets.findForSigning(key);
    return sealed ? { ...channel, secret: sealed.secret } : undefined;
  }

  private row(mchRef: number, wayCode: WayCode): Promise<Selectable<JucaiChannelTable> | undefined> {
    return this.db
      .selectFrom('jucai_channels')
      .selectAll()
      .where('mch_ref', '=', mchRef)
      .where('way_code', '=', wayCode)
      .executeTakeFirst();
  }
}
