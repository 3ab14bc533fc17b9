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
