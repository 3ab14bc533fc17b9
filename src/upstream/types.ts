/**
 * What the core asks of each upstream service. Adapters speak the real wire protocol; in sandbox
 * mode only their base URL changes (to this server's `/sandbox/*`). Every adapter throws
 * `UpstreamRejected` (the service answered no, with its own code and message) or
 * `UpstreamUnavailable` (timeout, connection failure, 5xx, unreadable body).
 */

export interface WechatSession {
  openid: string;
  session_key: string;
  unionid?: string;
}

/** WeChat mini-program login (`sns/jscode2session`). */
export interface WechatMiniProgramLogin {
  code2Session(appid: string, secret: string, jsCode: string): Promise<WechatSession>;
}

/** An SMS provider: sends a verification code valid for `minutes`. */
export interface SmsProvider {
  readonly name: string;
  send(mobile: string, code: string, minutes: number): Promise<void>;
}

/** A WeChat Pay merchant as the platform holds it: the service provider's appid, mch_id and API v2 key. */
export interface WechatPayMerchantCredentials {
  appid: string;
  mchId: string;
  /** The API v2 key (32 characters), which signs requests and replies. */
  key: string;
}

/** WeChat Pay `tools/authcodetoopenid`: who holds the payment code. */
export interface WechatPayAuthCodes {
  authCodeToOpenid(
    merchant: WechatPayMerchantCredentials,
    request: { authCode: string; subMchId?: string; subAppid?: string },
  ): Promise<{ openid: string; subOpenid?: string }>;
}

/** The operator's acquirer bridge for UnionPay, as a merchant's channel names it. */
export interface UnionPayBridgeSettings {
  url: string;
  /** The HMAC-SHA256 secret both directions are signed with. */
  secret: string;
  /** The merchant's number at the acquirer. */
  merchantNo: string;
}

/** UnionPay user-auth code → the payer's UnionPay user id, through the acquirer bridge. */
export interface UnionPayUserIds {
  userIdOf(
    bridge: UnionPayBridgeSettings,
    request: { userAuthCode: string; appUpIdentifier: string; requestId: string },
  ): Promise<{ userId: string }>;
}

/** WeChat web authorization (`sns/oauth2/access_token`): a user's code → their openid. */
export interface WechatWebAuthorization {
  exchangeCode(appid: string, secret: string, code: string): Promise<{ openid: string; unionid?: string }>;
}

/** A template message of an official account. */
export interface TemplateMessage {
  touser: string;
  template_id: string;
  url?: string;
  data: Record<string, { value: string }>;
}

/** The WeChat official account API: its access token, and template messages sent with it. */
export interface WechatOfficialAccountApi {
  /** `cgi-bin/token`: a new access token (WeChat ends the previous one after a short overlap). */
  fetchToken(appid: string, secret: string): Promise<{ token: string; expiresInS: number }>;
  /** `cgi-bin/message/template/send`: the message id WeChat gave it. */
  sendTemplate(accessToken: string, message: TemplateMessage): Promise<{ msgid: string }>;
}
