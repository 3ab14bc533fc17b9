import { readFileSync } from 'node:fs';
import {
  boolean,
  ConfigError,
  integer,
  oneOf,
  optionalHostPort,
  optionalText,
  optionalUrl,
  setting,
  text,
  type Setting,
  type SettingsTable,
  type SettingsValues,
} from '../kernel/settings.ts';
// The fronts' manifests, not their descriptors: reading the settings loads no front's server.
import { manifests, type InstalledManifest } from '../fronts/manifests.ts';

/**
 * Every setting kaifang has, read from `KAIFANG_*` / `DATABASE_URL` / `REDIS_URL` and optionally a
 * JSON file (`KAIFANG_CONFIG`, keys are the same variable names; the environment wins): the
 * platform's own, below, and each front's (fronts/<name>/settings.ts). Each is validated at
 * start-up and a bad one stops the process with a message naming it.
 */

/** The platform's settings. */
export const platformSettings = {
  host: setting('KAIFANG_HOST', '127.0.0.1', text, 'Address to listen on (0.0.0.0 to accept outside connections).'),
  port: setting('KAIFANG_PORT', 8080, integer(0, 65535), 'TCP port.'),
  dataDir: setting('KAIFANG_DATA_DIR', './data', text, 'Where the SQLite file, master key and admin token live.'),
  databaseUrl: setting<string | undefined>(
    'DATABASE_URL',
    undefined,
    optionalUrl('postgres:', 'postgresql:'),
    'PostgreSQL URL; unset = SQLite file in the data directory.',
  ),
  databaseSchema: setting<string | undefined>(
    'KAIFANG_DB_SCHEMA',
    undefined,
    optionalText,
    'PostgreSQL schema to use (created if missing); unset = the default search path.',
  ),
  redisUrl: setting<string | undefined>(
    'REDIS_URL',
    undefined,
    optionalUrl('redis:', 'rediss:'),
    'Redis URL for short-lived state; unset = state in the database.',
  ),
  redisPrefix: setting('KAIFANG_REDIS_PREFIX', 'kaifang:', text, 'Prefix of every Redis key kaifang writes.'),
  stateTimeoutMs: setting(
    'KAIFANG_STATE_TIMEOUT_MS',
    500,
    integer(10, 60_000),
    "Deadline of one short-lived-state operation (Redis, or the state table on PostgreSQL): past it the call fails in the front's shape instead of waiting for the backend.",
  ),
  stateThread: setting(
    'KAIFANG_STATE_THREAD',
    true,
    boolean,
    'On the embedded store: record signed calls against replay, with their rate counts, on the SQLite thread (the one that writes the call log; its own SQLite connection), off the request thread; false = on the request thread (a one-core machine).',
  ),
  masterKey: setting<string | undefined>(
    'KAIFANG_MASTER_KEY',
    undefined,
    optionalText,
    '32-byte key (64 hex chars or base64) that encrypts secrets at rest; unset = data-dir/master.key, created on first start.',
  ),
  masterKeyPrevious: setting<string | undefined>(
    'KAIFANG_MASTER_KEY_PREVIOUS',
    undefined,
    optionalText,
    'During a master-key rotation with KAIFANG_MASTER_KEY: the key being replaced, which still opens what it sealed (see `kaifang keys rotate-master`).',
  ),
  adminToken: setting<string | undefined>(
    'KAIFANG_ADMIN_TOKEN',
    undefined,
    optionalText,
    'Bearer token of the admin API; unset = data-dir/admin.token, created on first start.',
  ),
  adminTokenCacheMs: setting(
    'KAIFANG_ADMIN_TOKEN_CACHE_MS',
    5000,
    integer(0, 600_000),
    'How long a process may cache the admin tokens: a rotated root token or a revoked scoped token stops working everywhere within this bound.',
  ),
  adminListen: setting<string | undefined>(
    'KAIFANG_ADMIN_LISTEN',
    undefined,
    optionalHostPort,
    'host:port of a listener of its own for the admin API and /metrics (e.g. 127.0.0.1:9090); set, the public port serves neither admin API nor /metrics. Unset = the admin API on the public port.',
  ),
  metricsToken: setting<string | undefined>(
    'KAIFANG_METRICS_TOKEN',
    undefined,
    optionalText,
    '/metrics answers only requests with "Authorization: Bearer <this>"; unset = /metrics is open.',
  ),
  drainMs: setting(
    'KAIFANG_DRAIN_MS',
    5000,
    integer(0, 600_000),
    "After SIGTERM, SIGINT or SIGHUP: how long /readyz answers 503 and new requests get 503 (in the front's shape, Connection: close) while the port stays open, so a load balancer stops sending before the port closes.",
  ),
  stopTimeoutMs: setting(
    'KAIFANG_STOP_TIMEOUT_MS',
    10_000,
    integer(100, 600_000),
    'After the drain: how long requests in flight may take to finish; a stop still not done 5 s after that exits with code 1 (a second signal exits at once).',
  ),
  upstreamMode: setting(
    'KAIFANG_UPSTREAM',
    'sandbox' as 'sandbox' | 'live',
    oneOf('sandbox', 'live'),
    'sandbox: upstream adapters call the built-in simulators; live: the real hosts.',
  ),
  publicUrl: setting<string | undefined>(
    'KAIFANG_PUBLIC_URL',
    undefined,
    optionalUrl('http:', 'https:'),
    'Base URL at which this server is reachable (sandbox adapters call it); unset = http://127.0.0.1:PORT.',
  ),
  logLevel: setting(
    'KAIFANG_LOG_LEVEL',
    'info' as 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent',
    oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'),
    'pino log level.',
  ),
  logRequests: setting('KAIFANG_LOG_REQUESTS', true, boolean, 'Log one line per request (method, url without query, status, time).'),
  bodyLimit: setting('KAIFANG_BODY_LIMIT', 65536, integer(1024, 16 * 1024 * 1024), 'Largest accepted request body, bytes.'),
  requestTimeoutMs: setting(
    'KAIFANG_REQUEST_TIMEOUT_MS',
    30_000,
    integer(1000, 600_000),
    "A request (headers and body) must arrive in full within this; a stalled one is answered 408 (in the front's shape) and its connection closed.",
  ),
  cacheTtlMs: setting(
    'KAIFANG_CACHE_TTL_MS',
    2000,
    integer(0, 600_000),
    'How long a process may cache credentials and method routes: a disabled key or changed method takes effect within this bound.',
  ),
  cacheSize: setting(
    'KAIFANG_CACHE_SIZE',
    10_000,
    integer(0, 10_000_000),
    'Most entries each per-process cache holds: credentials, method routes, 微厅 users, and the done idempotency records whose repeats are answered from memory.',
  ),
  upstreamTimeoutMs: setting(
    'KAIFANG_UPSTREAM_TIMEOUT_MS',
    5000,
    integer(100, 120_000),
    'Default timeout of a call to an upstream service.',
  ),
  upstreamMaxAnswerBytes: setting(
    'KAIFANG_UPSTREAM_MAX_ANSWER_BYTES',
    1024 * 1024,
    integer(1024, 64 * 1024 * 1024),
    'Largest answer read from an upstream service or a registered method, bytes; a larger one is cut off and the call fails.',
  ),
  wechatApiUrl: setting<string | undefined>(
    'KAIFANG_WECHAT_API_URL',
    undefined,
    optionalUrl('http:', 'https:'),
    "Live mode: base URL of the WeChat API (unset = https://api.weixin.qq.com). Sandbox mode always uses this server's /sandbox/wechat.",
  ),
  wechatPayApiUrl: setting<string | undefined>(
    'KAIFANG_WECHATPAY_API_URL',
    undefined,
    optionalUrl('http:', 'https:'),
    "Live mode: base URL of WeChat Pay API v2 (unset = https://api.mch.weixin.qq.com). Sandbox mode always uses this server's /sandbox/wechatpay.",
  ),
  smsProvider: setting(
    'KAIFANG_SMS_PROVIDER',
    'sandbox' as 'sandbox' | 'aliyun' | 'tencent' | 'webhook' | 'none',
    oneOf('sandbox', 'aliyun', 'tencent', 'webhook', 'none'),
    'Who sends SMS codes: sandbox (outbox, read via the admin API; sandbox mode only), aliyun, tencent, webhook (your own gateway), or none (no SMS: GetMchSMSValid answers SUCCESS 10006).',
  ),
  smsAliyunEndpoint: setting<string | undefined>(
    'KAIFANG_SMS_ALIYUN_ENDPOINT',
    undefined,
    optionalUrl('http:', 'https:'),
    'Live mode: Alibaba Cloud SMS endpoint (unset = https://dysmsapi.aliyuncs.com). Sandbox mode uses /sandbox/aliyun-sms.',
  ),
  smsAliyunAccessKeyId: setting<string | undefined>(
    'KAIFANG_SMS_ALIYUN_ACCESS_KEY_ID',
    undefined,
    optionalText,
    'Alibaba Cloud AccessKey ID (required for aliyun in live mode; sandbox default `sandbox-aliyun-id`).',
  ),
  smsAliyunAccessKeySecret: setting<string | undefined>(
    'KAIFANG_SMS_ALIYUN_ACCESS_KEY_SECRET',
    undefined,
    optionalText,
    'Alibaba Cloud AccessKey secret (required for aliyun in live mode; sandbox default `sandbox-aliyun-secret`).',
  ),
  smsAliyunSignName: setting<string | undefined>(
    'KAIFANG_SMS_ALIYUN_SIGN_NAME',
    undefined,
    optionalText,
    'Alibaba Cloud SMS SignName (required for aliyun in live mode; sandbox default `kaifang`).',
  ),
  smsAliyunTemplateCode: setting<string | undefined>(
    'KAIFANG_SMS_ALIYUN_TEMPLATE_CODE',
    undefined,
    optionalText,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Aliyun's own template syntax, quoted for the operator
    'Alibaba Cloud SMS TemplateCode of a template with one variable ${code} (required for aliyun in live mode; sandbox default `SMS_000000`).',
  ),
  smsTencentEndpoint: setting<string | undefined>(
    'KAIFANG_SMS_TENCENT_ENDPOINT',
    undefined,
    optionalUrl('http:', 'https:'),
    'Live mode: Tencent Cloud SMS endpoint (unset = https://sms.tencentcloudapi.com). Sandbox mode uses /sandbox/tencent-sms.',
  ),
  smsTencentSecretId: setting<string | undefined>(
    'KAIFANG_SMS_TENCENT_SECRET_ID',
    undefined,
    optionalText,
    'Tencent Cloud SecretId (required for tencent in live mode; sandbox default `AKIDsandbox`).',
  ),
  smsTencentSecretKey: setting<string | undefined>(
    'KAIFANG_SMS_TENCENT_SECRET_KEY',
    undefined,
    optionalText,
    'Tencent Cloud SecretKey (required for tencent in live mode; sandbox default `sandbox-tencent-key`).',
  ),
  smsTencentSdkAppId: setting<string | undefined>(
    'KAIFANG_SMS_TENCENT_SDK_APP_ID',
    undefined,
    optionalText,
    'Tencent Cloud SMS SmsSdkAppId (required for tencent in live mode; sandbox default `1400000000`).',
  ),
  smsTencentSignName: setting<string | undefined>(
    'KAIFANG_SMS_TENCENT_SIGN_NAME',
    undefined,
    optionalText,
    'Tencent Cloud SMS SignName (required for tencent in live mode; sandbox default `kaifang`).',
  ),
  smsTencentTemplateId: setting<string | undefined>(
    'KAIFANG_SMS_TENCENT_TEMPLATE_ID',
    undefined,
    optionalText,
    'Tencent Cloud SMS TemplateId (required for tencent in live mode; sandbox default `100000`).',
  ),
  smsTencentTemplateParams: setting(
    'KAIFANG_SMS_TENCENT_TEMPLATE_PARAMS',
    'code,minutes' as 'code' | 'code,minutes',
    oneOf('code', 'code,minutes'),
    'Tencent Cloud SMS: the variables of the approved template, {1}=code and {2}=minutes, or only {1}=code.',
  ),
  smsTencentRegion: setting('KAIFANG_SMS_TENCENT_REGION', 'ap-guangzhou', text, 'Tencent Cloud SMS region (X-TC-Region).'),
  smsWebhookUrl: setting<string | undefined>(
    'KAIFANG_SMS_WEBHOOK_URL',
    undefined,
    optionalUrl('http:', 'https:'),
    "webhook provider: your gateway URL, POSTed signed JSON (used in both modes; required in live mode; unset in sandbox mode = this server's /sandbox/sms/webhook).",
  ),
  smsWebhookSecret: setting<string | undefined>(
    'KAIFANG_SMS_WEBHOOK_SECRET',
    undefined,
    optionalText,
    'webhook provider: HMAC-SHA256 key of X-Kaifang-Signature (required in live mode; sandbox default `sandbox-webhook-secret`).',
  ),
  callLogRetentionDays: setting('KAIFANG_CALL_LOG_RETENTION_DAYS', 30, integer(1, 3650), 'Call-log rows older than this are deleted.'),
  consoleIdleMinutes: setting(
    'KAIFANG_CONSOLE_IDLE_MINUTES',
    30,
    integer(1, 7 * 24 * 60),
    'The operator console (/console/): a session unused this long ends and asks for the admin token again.',
  ),
  debugger: setting(
    'KAIFANG_DEBUGGER',
    'auto' as 'auto' | 'on' | 'off',
    oneOf('auto', 'on', 'off'),
    'The integrator debugger (/debugger/): auto = public in sandbox mode, off in live mode; on = public in both; off = not served.',
  ),
} as const;

type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;
type SettingsOf<F> = F extends { readonly settings: infer T extends SettingsTable } ? SettingsValues<T> : never;
type FrontSettings = UnionToIntersection<SettingsOf<InstalledManifest>>;

/** Every setting: the platform's and each front's. README's configuration table is written from it (`kaifang config`). */
export const settings: SettingsTable = { ...platformSettings };
for (const front of manifests) {
  for (const [name, spec] of Object.entries(front.settings) as [string, Setting<unknown>][]) {
    // Two parts claiming one name is a bug in one of them: fail loudly, at start-up.
    if (name in settings || Object.values(settings).some((s) => s.env === spec.env))
      throw new Error(`setting ${spec.env} is declared twice`);
    settings[name] = spec;
  }
}

export type Config = SettingsValues<typeof platformSettings> & FrontSettings;

/** Reads the configuration from `env` (and the file it names); throws ConfigError on a bad value. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  let file: Record<string, unknown> = {};
  const path = env.KAIFANG_CONFIG;
  if (path) {
    try {
      file = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new ConfigError('KAIFANG_CONFIG', `cannot read ${path} as JSON: ${(err as Error).message}`);
    }
    if (typeof file !== 'object' || file === null || Array.isArray(file)) {
      throw new ConfigError('KAIFANG_CONFIG', `${path} must hold a JSON object of setting names to values`);
    }
    const known = new Set(Object.values(settings).map((s) => s.env));
    for (const key of Object.keys(file)) {
      if (!known.has(key)) throw new ConfigError(key, `is not a kaifang setting (in ${path})`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(settings) as [string, Setting<unknown>][]) {
    if (name in overrides && (overrides as Record<string, unknown>)[name] !== undefined) {
      out[name] = (overrides as Record<string, unknown>)[name];
      continue;
    }
    const inFile = file[spec.env];
    if (inFile !== undefined && !['string', 'number', 'boolean'].includes(typeof inFile)) {
      throw new ConfigError(
        spec.env,
        `must be a string, number or boolean in ${path}, got ${inFile === null ? 'null' : Array.isArray(inFile) ? 'an array' : 'an object'}`,
      );
    }
    const raw = env[spec.env] ?? (inFile === undefined ? undefined : String(inFile));
    out[name] = raw === undefined ? spec.default : spec.parse(raw, spec.env);
  }
  return out as Config;
}

/** Variables that are not settings but are read by name. */
const OTHER_VARIABLES = new Set(['KAIFANG_CONFIG']);

/** Edit distance of two names (misspellings are a letter or two off). */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

/**
 * `KAIFANG_*` variables of `env` that are no setting (a misspelling is otherwise silently ignored),
 * each with the nearest setting's name when one is close.
 */
export function unknownVariables(env: NodeJS.ProcessEnv): { name: string; nearest?: string }[] {
  const known = Object.values(settings).map((spec) => spec.env);
  return Object.keys(env)
    .filter((name) => name.startsWith('KAIFANG_') && !known.includes(name) && !OTHER_VARIABLES.has(name))
    .sort()
    .map((name) => {
      const [nearest, d] = known.map((k) => [k, distance(name, k)] as const).sort((x, y) => x[1] - y[1])[0]!;
      // Within two edits, more for long names; `KAIFANG_` is common to all, so the rest decides.
      return d <= Math.max(2, Math.floor((name.length - 'KAIFANG_'.length) / 4)) ? { name, nearest } : { name };
    });
}
