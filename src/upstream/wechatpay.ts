import { UpstreamRejected, UpstreamUnavailable, type RejectReason } from '../kernel/errors.ts';
import { randomString } from '../kernel/random.ts';
import { wechatPayV2 } from '../kernel/signing.ts';
import { callUpstream, toXml, xmlFields, type HttpOptions } from './http.ts';
import type { WechatPayAuthCodes, WechatPayMerchantCredentials } from './types.ts';

export const WECHATPAY_API_URL = 'https://api.mch.weixin.qq.com';

/**
 * The API v2 key the sandbox's WeChat Pay accepts for every merchant (README, "The sandbox"): give a
 * sandbox WeChat Pay merchant this key; any other is refused as WeChat refuses a wrong key.
 */
export const SANDBOX_WECHATPAY_KEY = 'kaifangSandboxWechatPayKey000000';

/** `err_code` of a refused payment-code query, classified once for every front. */
const REASONS: Record<string, RejectReason> = {
  AUTHCODEEXPIRE: 'expired-code',
  AUTH_CODE_INVALID: 'invalid-code',
  AUTH_CODE_ERROR: 'invalid-code',
  SYSTEMERROR: 'busy',
};

/**
 * WeChat Pay API v2 `POST {base}/tools/authcodetoopenid`, in service-provider mode: XML signed with
 * the merchant's API v2 key (MD5, the storepos algorithm), `sub_mch_id`/`sub_appid` when given.
 * The reply is believed only once its own signature verifies with the same key: a reply that does
 * not is a channel failure, never an openid (nor a refusal: a `return_code` FAIL, which WeChat sends
 * unsigned, is believed unsigned, but not with a sign that does not verify). `return_code` FAIL (communication refused: bad
 * signature, bad parameters, no permission) and `result_code` FAIL (the code is expired, invalid,
 * or WeChat had a system error) are `UpstreamRejected('wechatpay', code, message, reason)`.
 * Never retried: a payment code queried once may be bound to this merchant.
 */
export class WechatPayAdapter implements WechatPayAuthCodes {
  constructor(
    private readonly baseUrl: () => string,
    private readonly http: HttpOptions,
  ) {}

  async authCodeToOpenid(
    merchant: WechatPayMerchantCredentials,
    request: { authCode: string; subMchId?: string; subAppid?: string },
  ): Promise<{ openid: string; subOpenid?: string }> {
    const fields: Record<string, string> = {
      appid: merchant.appid,
      mch_id: merchant.mchId,
      ...(request.subMchId ? { sub_mch_id: request.subMchId } : {}),
      ...(request.subAppid ? { sub_appid: request.subAppid } : {}),
      auth_code: request.authCode,
      nonce_str: randomString(32),
    };
    fields.sign = wechatPayV2.sign(fields, merchant.key);
    const url = `${this.baseUrl().replace(/\/+$/, '')}/tools/authcodetoopenid`;
    return callUpstream(
      this.http,
      { upstream: 'wechatpay', url, method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8' }, body: toXml(fields) },
      (res) => {
        const reply = xmlFields(res, 'wechatpay');
        const sign = reply.sign ?? '';
        const forged = () =>
          new UpstreamUnavailable('wechatpay', "wechatpay: the answer's signature does not verify with the merchant key", res.status);
        if (reply.return_code !== 'SUCCESS') {
          if (reply.return_code !== 'FAIL')
            throw new UpstreamUnavailable('wechatpay', `wechatpay: the answer (HTTP ${res.status}) has no return_code`, res.status);
          // WeChat sends a communication failure unsigned; one that carries a sign must verify like any other answer.
          if (reply.sign !== undefined && !wechatPayV2.verify(reply, merchant.key, sign)) throw forged();
          throw new UpstreamRejected('wechatpay', 'FAIL', reply.return_msg ?? '', 'bad-configuration');
        }
        if (sign === '' || !wechatPayV2.verify(reply, merchant.key, sign)) throw forged();
        if (reply.result_code !== 'SUCCESS') {
          const code = reply.err_code ?? 'UNKNOWN';
          throw new UpstreamRejected('wechatpay', code, reply.err_code_des ?? '', REASONS[code] ?? 'other');
        }
        if (!reply.openid) throw new UpstreamUnavailable('wechatpay', 'wechatpay: the answer has no openid', res.status);
        return reply.sub_openid ? { openid: reply.openid, subOpenid: reply.sub_openid } : { openid: reply.openid };
      },
    );
  }
}
