import { UpstreamRejected } from '../../kernel/errors.ts';
import { ConfigError } from '../../kernel/settings.ts';
import type { HttpOptions } from '../http.ts';
import type { SmsProvider } from '../types.ts';
import { ALIYUN_SMS_ENDPOINT, AliyunSms } from './aliyun.ts';
import { SandboxSms } from './sandbox.ts';
import { TENCENT_SMS_ENDPOINT, TencentSms } from './tencent.ts';
import { WebhookSms } from './webhook.ts';

/**
 * Credentials the sandbox simulators accept when none are configured, so that every provider runs
 * end to end on one machine with no setup. Configured credentials replace them on both sides (the
 * adapter signs with them and the simulator verifies with them).
 */
export const SANDBOX_SMS_CREDENTIALS = {
  aliyun: { accessKeyId: 'sandbox-aliyun-id', accessKeySecret: 'sandbox-aliyun-secret', signName: 'kaifang', templateCode: 'SMS_000000' },
  tencent: { secretId: 'AKIDsandbox', secretKey: 'sandbox-tencent-key', sdkAppId: '1400000000', signName: 'kaifang', templateId: '100000' },
  webhook: { secret: 'sandbox-webhook-secret' },
} as const;

/** The settings the SMS providers read (the platform's `KAIFANG_SMS_*`). */
export interface SmsSettings {
  upstreamMode: 'sandbox' | 'live';
  smsProvider: 'sandbox' | 'aliyun' | 'tencent' | 'webhook' | 'none';
  smsAliyunEndpoint: string | undefined;
  smsAliyunAccessKeyId: string | undefined;
  smsAliyunAccessKeySecret: string | undefined;
  smsAliyunSignName: string | undefined;
  smsAliyunTemplateCode: string | undefined;
  smsTencentEndpoint: string | undefined;
  smsTencentSecretId: string | undefined;
  smsTencentSecretKey: string | undefined;
  smsTencentSdkAppId: string | undefined;
  smsTencentSignName: string | undefined;
  smsTencentTemplateId: string | undefined;
  smsTencentTemplateParams: 'code' | 'code,minutes';
  smsTencentRegion: string;
  smsWebhookUrl: string | undefined;
  smsWebhookSecret: string | undefined;
}

/** A value from the configuration; in live mode a missing one stops start-up, naming the setting. */
function pick(config: SmsSettings, value: string | undefined, env: string, sandboxDefault: string): string {
  if (value !== undefined && value !== '') return value;
  if (config.upstreamMode === 'sandbox') return sandboxDefault;
  throw new ConfigError(env, `is required when KAIFANG_SMS_PROVIDER=${config.smsProvider} in live mode`);
}

export function aliyunCredentials(config: SmsSettings) {
  const d = SANDBOX_SMS_CREDENTIALS.aliyun;
  return {
    accessKeyId: pick(config, config.smsAliyunAccessKeyId, 'KAIFANG_SMS_ALIYUN_ACCESS_KEY_ID', d.accessKeyId),
    accessKeySecret: pick(config, config.smsAliyunAccessKeySecret, 'KAIFANG_SMS_ALIYUN_ACCESS_KEY_SECRET', d.accessKeySecret),
    signName: pick(config, config.smsAliyunSignName, 'KAIFANG_SMS_ALIYUN_SIGN_NAME', d.signName),
    templateCode: pick(config, config.smsAliyunTemplateCode, 'KAIFANG_SMS_ALIYUN_TEMPLATE_CODE', d.templateCode),
  };
}

export function tencentCredentials(config: SmsSettings) {
  const d = SANDBOX_SMS_CREDENTIALS.tencent;
  return {
    secretId: pick(config, config.smsTencentSecretId, 'KAIFANG_SMS_TENCENT_SECRET_ID', d.secretId),
    secretKey: pick(config, config.smsTencentSecretKey, 'KAIFANG_SMS_TENCENT_SECRET_KEY', d.secretKey),
    sdkAppId: pick(config, config.smsTencentSdkAppId, 'KAIFANG_SMS_TENCENT_SDK_APP_ID', d.sdkAppId),
    signName: pick(config, config.smsTencentSignName, 'KAIFANG_SMS_TENCENT_SIGN_NAME', d.signName),
    templateId: pick(config, config.smsTencentTemplateId, 'KAIFANG_SMS_TENCENT_TEMPLATE_ID', d.templateId),
  };
}

export function webhookSecret(config: SmsSettings): string {
  return pick(config, config.smsWebhookSecret, 'KAIFANG_SMS_WEBHOOK_SECRET', SANDBOX_SMS_CREDENTIALS.webhook.secret);
}

/** SMS switched off by the operator: every send is refused, saying so. */
const NO_SMS: SmsProvider = {
  name: 'none',
  send: async () => {
    throw new UpstreamRejected('sms', 'NOT_CONFIGURED', 'this platform sends no SMS (KAIFANG_SMS_PROVIDER=none)', 'bad-configuration');
  },
};

/** The configured SMS provider. Sandbox mode only changes where it sends (`selfUrl()/sandbox/…`). */
export function createSmsProvider(config: SmsSettings, http: HttpOptions, selfUrl: () => string): SmsProvider {
  const sandbox = config.upstreamMode === 'sandbox';
  switch (config.smsProvider) {
    case 'sandbox':
      // The outbox is the sandbox's: in live mode nobody would receive a code.
      if (!sandbox)
        throw new ConfigError(
          'KAIFANG_SMS_PROVIDER',
          'is "sandbox" (the built-in outbox), which sends nothing in live mode: set aliyun, tencent or webhook with its settings, or none to switch SMS off',
        );
      return new SandboxSms(() => `${selfUrl()}/sandbox/sms`, http);
    case 'aliyun':
      return new AliyunSms(
        {
          ...aliyunCredentials(config),
          endpoint: () => (sandbox ? `${selfUrl()}/sandbox/aliyun-sms` : (config.smsAliyunEndpoint ?? ALIYUN_SMS_ENDPOINT)),
        },
        http,
      );
    case 'tencent':
      return new TencentSms(
        {
          ...tencentCredentials(config),
          region: config.smsTencentRegion,
          templateParams: config.smsTencentTemplateParams,
          endpoint: () => (sandbox ? `${selfUrl()}/sandbox/tencent-sms` : (config.smsTencentEndpoint ?? TENCENT_SMS_ENDPOINT)),
        },
        http,
      );
    case 'none':
      return NO_SMS;
    case 'webhook': {
      const url = config.smsWebhookUrl;
      if (url === undefined && !sandbox) {
        throw new ConfigError('KAIFANG_SMS_WEBHOOK_URL', 'is required when KAIFANG_SMS_PROVIDER=webhook in live mode');
      }
      return new WebhookSms({ url: () => url ?? `${selfUrl()}/sandbox/sms/webhook`, secret: webhookSecret(config) }, http);
    }
  }
}
