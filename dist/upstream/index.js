import { createSmsProvider } from './sms/index.js';
import { WECHAT_API_URL, WechatLoginAdapter } from './wechat.js';
/**
 * Builds the upstream adapters from the configuration. They always speak the real wire protocol;
 * in sandbox mode their base URLs point at this server's own `/sandbox/*` simulators (`selfUrl`,
 * read at call time because the port is known only once the server listens). Throws ConfigError
 * when the chosen live provider lacks a setting.
 */
export function createUpstreams(config, metrics, selfUrl) {
    const http = { timeoutMs: config.upstreamTimeoutMs, metrics };
    const sandbox = config.upstreamMode === 'sandbox';
    return {
        wechatLogin: new WechatLoginAdapter(() => (sandbox ? `${selfUrl()}/sandbox/wechat` : (config.wechatApiUrl ?? WECHAT_API_URL)), http),
        sms: createSmsProvider(config, http, selfUrl),
    };
}
