import { UpstreamUnavailable } from '../core/errors.ts';
import type { Config } from '../server/config.ts';
import type { Metrics } from '../server/metrics.ts';
import type { SmsProvider, WechatMiniProgramLogin } from './types.ts';

export interface Upstreams {
  wechatLogin: WechatMiniProgramLogin;
  sms: SmsProvider;
}

/**
 * Builds the upstream adapters from the configuration. In sandbox mode their base URLs point at
 * this server's own `/sandbox/*` simulators (`selfUrl`).
 * PLACEHOLDER until the adapters land: every call fails as unavailable.
 */
export function createUpstreams(_config: Config, _metrics: Metrics, _selfUrl: () => string): Upstreams {
  const missing = (name: string) => {
    throw new UpstreamUnavailable(name, `${name} adapter is not built yet`);
  };
  return {
    wechatLogin: { code2Session: async () => missing('wechat') },
    sms: { name: 'none', send: async () => missing('sms') },
  };
}
