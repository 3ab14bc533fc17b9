import type { HttpOptions, UpstreamMetrics } from './http.ts';
import { createSmsProvider, type SmsSettings } from './sms/index.ts';
import type {
  SmsProvider,
  UnionPayUserIds,
  WechatMiniProgramLogin,
  WechatOfficialAccountApi,
  WechatPayAuthCodes,
  WechatWebAuthorization,
} from './types.ts';
import { UnionPayBridgeAdapter } from './unionpay.ts';
import {
  WECHAT_API_URL,
  WECHAT_OPEN_URL,
  WechatLoginAdapter,
  WechatOfficialAccountAdapter,
  WechatWebAuthorizationAdapter,
} from './wechat.ts';
import { WECHATPAY_API_URL, WechatPayAdapter } from './wechatpay.ts';

/** The settings the adapters read (by the platform configuration's own names). */
export interface UpstreamSettings extends SmsSettings {
  upstreamTimeoutMs: number;
  upstreamMaxAnswerBytes: number;
  wechatApiUrl: string | undefined;
  wechatPayApiUrl: string | undefined;
}

export interface Upstreams {
  wechatLogin: WechatMiniProgramLogin;
  wechatWebAuth: WechatWebAuthorization;
  wechatOfficialAccount: WechatOfficialAccountApi;
  /** Where a browser goes for WeChat web authorization (the sandbox's authorize page in sandbox mode). */
  wechatOpenUrl: () => string;
  wechatPay: WechatPayAuthCodes;
  unionPay: UnionPayUserIds;
  sms: SmsProvider;
  /** The HTTP options every adapter uses; for calls to operator-given URLs (registered methods). */
  http: HttpOptions;
}

/**
 * Builds the upstream adapters from the configuration. They always speak the real wire protocol;
 * in sandbox mode their base URLs point at this server's own `/sandbox/*` simulators (`selfUrl`,
 * read at call time because the port is known only once the server listens). Throws ConfigError
 * when the chosen live provider lacks a setting.
 */
export function createUpstreams(settings: UpstreamSettings, metrics: UpstreamMetrics, selfUrl: () => string): Upstreams {
  const http: HttpOptions = { timeoutMs: settings.upstreamTimeoutMs, maxBytes: settings.upstreamMaxAnswerBytes, metrics };
  const sandbox = settings.upstreamMode === 'sandbox';
  const wechatApi = () => (sandbox ? `${selfUrl()}/sandbox/wechat` : (settings.wechatApiUrl ?? WECHAT_API_URL));
  return {
    wechatLogin: new WechatLoginAdapter(wechatApi, http),
    wechatWebAuth: new WechatWebAuthorizationAdapter(wechatApi, http),
    wechatOfficialAccount: new WechatOfficialAccountAdapter(wechatApi, http),
    wechatOpenUrl: () => (sandbox ? `${selfUrl()}/sandbox/wechat-open` : WECHAT_OPEN_URL),
    wechatPay: new WechatPayAdapter(
      () => (sandbox ? `${selfUrl()}/sandbox/wechatpay` : (settings.wechatPayApiUrl ?? WECHATPAY_API_URL)),
      http,
    ),
    // Each merchant's channel names its bridge; in sandbox mode they all go to the simulator.
    unionPay: new UnionPayBridgeAdapter(sandbox ? () => `${selfUrl()}/sandbox/unionpay-bridge` : undefined, http),
    sms: createSmsProvider(settings, http, selfUrl),
    http,
  };
}
