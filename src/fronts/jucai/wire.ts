/**
 * The 巨彩商服 `auth2OpenId` wire types, written once: the server reads requests and writes replies
 * in them (params.ts, reply.ts), and the typed client (client.ts) sends and reads the same. Types
 * only, importing nothing: the client ships without the server.
 */

/** The payment ways `wayCode` names. */
export type WayCode = 'WECHAT' | 'UNIONPAY';

/** The seed's request fields, every one a JSON string (jucai.md, "Request"); `sign` is added last. */
export interface Auth2OpenIdFields {
  /** Default `1.0`, the only version served. */
  version?: string;
  /** Terminal id, 1–32; `88888888` when there is no real terminal. */
  termId: string;
  mchNo: string;
  appId: string;
  /** 5–30 of `A-Za-z0-9_`. */
  mchOrderNo: string;
  wayCode: WayCode;
  /** WECHAT: the payer's 18-digit payment code; UNIONPAY: the user-auth code. */
  authCode: string;
  /** The terminal's IPv4 or IPv6 address. */
  clientIp: string;
  /** WECHAT: the sub-merchant's official-account appid; UNIONPAY: empty or e.g. `UnionPay/1.0 CloudPay`. */
  subAppid?: string;
}

/** What an extra top-level field (`reqTime`, `signType`, …) may be: it is signed as its JSON text. */
export type ExtraFieldValue = string | number | boolean;

/** A request body as sent: the fields, extras, and `sign`. */
export type Auth2OpenIdBody = Auth2OpenIdFields & { sign: string } & Record<string, ExtraFieldValue | undefined>;

/** `data` of a processed request, in the seed's field order. */
export interface JucaiReplyData {
  /** `000000` success; else `AUTHCODE_INVALID`, `AUTHCODE_EXPIRE`, `CHANNEL_NOT_CONFIGURED`, `SYSTEM_ERROR`, `CHANNEL_ERROR`. */
  returnCode: string;
  returnMsg: string;
  termId: string;
  /** 32 upper-case letters and digits. */
  randomStr: string;
  /** The ISV number. */
  orgId: string;
  mchNo: string;
  mchOrderNo: string;
  /** WECHAT: the WeChat appid the openid belongs to; UNIONPAY: empty. */
  appid: string;
  /** WECHAT: the payer's openid; UNIONPAY: the payer's UnionPay user id. */
  openid: string;
  subAppid: string;
  subOpenid: string;
}

/** The reply codes (jucai.md, "The reply code table"). */
export type JucaiReplyCode = 200 | 400 | 401 | 403 | 404 | 409 | 429 | 500 | 502;

/**
 * `{code, msg, data, sign}`. `data` only for a processed request (code 200), and `sign` exactly when
 * `data` is there (the Jeepay SDK's `checkSign`: no data and no sign, or a sign over the data).
 */
export interface JucaiReply {
  code: JucaiReplyCode;
  msg: string;
  data: JucaiReplyData | null;
  sign?: string;
}
