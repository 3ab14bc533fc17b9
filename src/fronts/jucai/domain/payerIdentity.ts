import type { UnionPayUserIds, WechatPayAuthCodes } from '../../../upstream/types.ts';
import { DomainError, NotFound, UpstreamUnavailable } from '../../../kernel/errors.ts';
import type { Idempotency } from '../../../core/idempotency.ts';
import { sha256Hex } from '../../../kernel/secrets.ts';
import type { WechatPayMerchants } from '../../../core/wechat/payMerchants.ts';
import type { JucaiApp } from './apps.ts';
import type { Channels, WayCode } from './channels.ts';
import type { MerchantForCall } from './organization.ts';

/** One payment authorization code to look a payer up by. */
export interface PayerQuery {
  merchant: MerchantForCall;
  app: JucaiApp;
  wayCode: WayCode;
  authCode: string;
  mchOrderNo: string;
  /** WECHAT: the sub-merchant's official-account appid; UNIONPAY: the payer app's UnionPay identifier. */
  subAppid: string;
}

/** Who the payer is. For UNIONPAY the user id is in `openid` and `appid` is empty. */
export interface Payer {
  appid: string;
  openid: string;
  subAppid: string;
  subOpenid: string;
}

export interface PayerLookup {
  payer: Payer;
  /** True when this is the stored answer of an earlier request with the same order and code. */
  repeated: boolean;
}

/** What a lease adds to the channel's timeout: the record's own write, and a loaded machine's pauses. */
export const LEASE_MARGIN_MS = 2_000;

/**
 * Payment authorization code → payer identity, through the merchant's channel for the `wayCode`:
 * WeChat Pay `authcodetoopenid`, or the UnionPay acquirer bridge. A code may be presented upstream
 * once, so the first answer for a merchant's order number is kept (Idempotency, `ttlMs`), and a
 * repeat — the same `wayCode`, `authCode` and `subAppid` (the request's `fingerprint`) — gets it
 * from that record without a channel call and whatever the channel's state now; the same order
 * number for another request is `Conflict`. A repeat that arrives while the first is with the
 * channel waits for its answer, at this process or another.
 *
 * A channel's refusal (`UpstreamRejected`, classified by its reason) and a channel that may have
 * been reached but did not answer usably are answers too. Not recorded, so that the order may be
 * sent again: a channel that could not be reached at all (nothing was sent), and a merchant with
 * no usable channel for the `wayCode` (`NotFound('channel')`: none, switched off, or its WeChat Pay
 * merchant disabled), which is decided only for an order that has no answer yet.
 *
 * The order's record is held for the channel's timeout plus `LEASE_MARGIN_MS` (`leaseMs`): a
 * process killed mid-call leaves it running, and the first repeat after the lease — a waiting one
 * included — asks the channel again, once. That query has no effect beyond the first's: WeChat Pay
 * binds a queried code to the querying merchant, which this is, and answers it again; a UNIONPAY
 * bridge gets the same `requestId` for every call of one order, to answer a repeat as the first.
 */
export class PayerIdentities {
  constructor(
    private readonly channels: Channels,
    private readonly payMerchants: WechatPayMerchants,
    private readonly idempotency: Idempotency,
    private readonly upstreams: { wechatPay: WechatPayAuthCodes; unionPay: UnionPayUserIds },
    private readonly ttlMs: number,
    /** How long a call holds its order: the channel's timeout plus `LEASE_MARGIN_MS`. */
    private readonly leaseMs: number,
  ) {}

  async lookUp(q: PayerQuery): Promise<PayerLookup> {
    const key = `jucai:${q.merchant.mchNo}:${q.mchOrderNo}`;
    const fingerprint = sha256Hex(
      q.subAppid === '' ? `${q.wayCode}\u0000${q.authCode}` : `${q.wayCode}\u0000${q.authCode}\u0000${q.subAppid}`,
    );
    const { value, repeated } = await this.idempotency.run(key, this.ttlMs, () => this.ask(q, sha256Hex(`${key}\u0000${fingerprint}`)), {
      fingerprint,
      leaseMs: this.leaseMs,
      // A repeat waits out the first call's lease, then takes the order over: it never gives up first.
      waitMs: this.leaseMs + 1_000,
      keepFailure: (err: DomainError) =>
        !(err instanceof UpstreamUnavailable && err.reason === 'unreachable') && !(err instanceof NotFound && err.what === 'channel'),
    });
    return { payer: value, repeated };
  }

  /** The channel's answer for an order that has none yet: NotFound('channel') when the merchant has no usable channel. */
  private async ask(q: PayerQuery, orderRef: string): Promise<Payer> {
    const notConfigured = () => new NotFound('channel', `merchant ${q.merchant.mchNo} has no ${q.wayCode} channel configured`);
    const channel = await this.channels.forCall(q.merchant.id, q.wayCode);
    if (!channel) throw notConfigured();
    if (channel.wayCode === 'WECHAT') {
      let merchant: Awaited<ReturnType<typeof this.payMerchants.authenticate>>;
      try {
        merchant = await this.payMerchants.authenticate(channel.wechatPayMchId);
      } catch (err) {
        if (err instanceof DomainError && (err.kind === 'NotFound' || err.kind === 'Disabled')) throw notConfigured();
        throw err;
      }
      const subAppid = q.subAppid || channel.subAppid || '';
      const found = await this.upstreams.wechatPay.authCodeToOpenid(
        { appid: merchant.appid, mchId: merchant.mchId, key: merchant.key },
        { authCode: q.authCode, ...(channel.subMchId ? { subMchId: channel.subMchId } : {}), ...(subAppid ? { subAppid } : {}) },
      );
      return { appid: merchant.appid, openid: found.openid, subAppid: found.subOpenid ? subAppid : '', subOpenid: found.subOpenid ?? '' };
    }
    const found = await this.upstreams.unionPay.userIdOf(
      { url: channel.bridgeUrl, secret: channel.secret, merchantNo: channel.merchantNo },
      { userAuthCode: q.authCode, appUpIdentifier: q.subAppid, requestId: requestIdOf(orderRef) },
    );
    return { appid: '', openid: found.userId, subAppid: '', subOpenid: '' };
  }
}

/** The bridge's `requestId` of an order: the same for every call of it, in UUID form (32 hex digits of the order's hash). */
function requestIdOf(orderRef: string): string {
  const h = orderRef.slice(0, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
