import { randomUUID } from 'node:crypto';
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

/**
 * Payment authorization code → payer identity, through the merchant's channel for the `wayCode`:
 * WeChat Pay `authcodetoopenid`, or the UnionPay acquirer bridge. A code may be presented upstream
 * once, so the first answer for a merchant's order number is kept (Idempotency, `ttlMs`): the same
 * order and code again gets it without a channel call, also while the first is still running at
 * another process; the same order number with another code is `Conflict`. A channel's refusal
 * (`UpstreamRejected`, classified by its reason) and a channel that may have been reached but did
 * not answer are answers too; only a channel that could not be reached at all leaves the order
 * free for a retry. No channel for the `wayCode` is `NotFound('channel')`, decided before anything
 * is recorded.
 */
export class PayerIdentities {
  constructor(
    private readonly channels: Channels,
    private readonly payMerchants: WechatPayMerchants,
    private readonly idempotency: Idempotency,
    private readonly upstreams: { wechatPay: WechatPayAuthCodes; unionPay: UnionPayUserIds },
    private readonly ttlMs: number,
  ) {}

  async lookUp(q: PayerQuery): Promise<PayerLookup> {
    const run = await this.channelCall(q);
    const key = `jucai:${q.merchant.mchNo}:${q.mchOrderNo}`;
    const fingerprint = sha256Hex(`${q.wayCode}\u0000${q.authCode}`);
    const { value, repeated } = await this.idempotency.run(key, this.ttlMs, run, {
      fingerprint,
      keepFailure: (err: DomainError) => !(err instanceof UpstreamUnavailable && err.reason === 'unreachable'),
    });
    return { payer: value, repeated };
  }

  /** The call to make, once the channel is known to be configured (else NotFound, before anything is stored). */
  private async channelCall(q: PayerQuery): Promise<() => Promise<Payer>> {
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
      return async () => {
        const found = await this.upstreams.wechatPay.authCodeToOpenid(
          { appid: merchant.appid, mchId: merchant.mchId, key: merchant.key },
          { authCode: q.authCode, ...(channel.subMchId ? { subMchId: channel.subMchId } : {}), ...(subAppid ? { subAppid } : {}) },
        );
        return { appid: merchant.appid, openid: found.openid, subAppid: found.subOpenid ? subAppid : '', subOpenid: found.subOpenid ?? '' };
      };
    }
    return async () => {
      const found = await this.upstreams.unionPay.userIdOf(
        { url: channel.bridgeUrl, secret: channel.secret, merchantNo: channel.merchantNo },
        { userAuthCode: q.authCode, appUpIdentifier: q.subAppid, requestId: randomUUID() },
      );
      return { appid: '', openid: found.userId, subAppid: '', subOpenid: '' };
    };
  }
}
