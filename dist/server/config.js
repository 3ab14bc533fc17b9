import { readFileSync } from 'node:fs';
/**
 * Every setting kaifang has, read from `KAIFANG_*` / `DATABASE_URL` / `REDIS_URL` and optionally a
 * JSON file (`KAIFANG_CONFIG`, keys are the same variable names; the environment wins). Each is
 * validated at start-up and a bad one stops the process with a message naming it.
 */
export class ConfigError extends Error {
    setting;
    constructor(setting, message) {
        super(`${setting}: ${message}`);
        this.setting = setting;
        this.name = 'ConfigError';
    }
}
const integer = (min, max) => (raw, name) => {
    const n = Number(raw);
    if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
        throw new ConfigError(name, `must be an integer from ${min} to ${max}, got "${raw}"`);
    }
    return n;
};
const oneOf = (...values) => (raw, name) => {
    const v = raw.trim().toLowerCase();
    if (!values.includes(v))
        throw new ConfigError(name, `must be one of ${values.join(', ')}, got "${raw}"`);
    return v;
};
const text = (raw) => raw;
const optionalText = (raw) => (raw === '' ? undefined : raw);
const optionalUrl = (...protocols) => (raw, name) => {
    if (raw === '')
        return undefined;
    let url;
    try {
        url = new URL(raw);
    }
    catch {
        throw new ConfigError(name, `is not a URL: "${redactUrl(raw)}"`);
    }
    if (!protocols.includes(url.protocol)) {
        throw new ConfigError(name, `must use ${protocols.join(' or ')}, got "${url.protocol}"`);
    }
    return raw;
};
const boolean = (raw, name) => {
    const v = raw.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(v))
        return true;
    if (['0', 'false', 'no', 'off'].includes(v))
        return false;
    throw new ConfigError(name, `must be true or false, got "${raw}"`);
};
const dottedVersion = (raw, name) => {
    const v = raw.trim();
    if (!/^\d{1,9}(\.\d{1,9}){0,7}$/.test(v))
        throw new ConfigError(name, `must be a dotted version like 1.0, got "${raw}"`);
    return v;
};
function setting(env, def, parse, doc) {
    return { env, default: def, parse, doc };
}
/** The table of settings: README's configuration section is written from it (`kaifang config`). */
export const settings = {
    host: setting('KAIFANG_HOST', '127.0.0.1', text, 'Address to listen on (0.0.0.0 to accept outside connections).'),
    port: setting('KAIFANG_PORT', 8080, integer(0, 65535), 'TCP port.'),
    dataDir: setting('KAIFANG_DATA_DIR', './data', text, 'Where the SQLite file, master key and admin token live.'),
    databaseUrl: setting('DATABASE_URL', undefined, optionalUrl('postgres:', 'postgresql:'), 'PostgreSQL URL; unset = SQLite file in the data directory.'),
    databaseSchema: setting('KAIFANG_DB_SCHEMA', undefined, optionalText, 'PostgreSQL schema to use (created if missing); unset = the default search path.'),
    redisUrl: setting('REDIS_URL', undefined, optionalUrl('redis:', 'rediss:'), 'Redis URL for short-lived state; unset = state in the database.'),
    redisPrefix: setting('KAIFANG_REDIS_PREFIX', 'kaifang:', text, 'Prefix of every Redis key kaifang writes.'),
    masterKey: setting('KAIFANG_MASTER_KEY', undefined, optionalText, '32-byte key (64 hex chars or base64) that encrypts secrets at rest; unset = data-dir/master.key, created on first start.'),
    adminToken: setting('KAIFANG_ADMIN_TOKEN', undefined, optionalText, 'Bearer token of the admin API; unset = data-dir/admin.token, created on first start.'),
    upstreamMode: setting('KAIFANG_UPSTREAM', 'sandbox', oneOf('sandbox', 'live'), 'sandbox: upstream adapters call the built-in simulators; live: the real hosts.'),
    publicUrl: setting('KAIFANG_PUBLIC_URL', undefined, optionalUrl('http:', 'https:'), 'Base URL at which this server is reachable (sandbox adapters call it); unset = http://127.0.0.1:PORT.'),
    logLevel: setting('KAIFANG_LOG_LEVEL', 'info', oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'), 'pino log level.'),
    logRequests: setting('KAIFANG_LOG_REQUESTS', true, boolean, 'Log one line per request (method, url without query, status, time).'),
    bodyLimit: setting('KAIFANG_BODY_LIMIT', 65536, integer(1024, 16 * 1024 * 1024), 'Largest accepted request body, bytes.'),
    cacheTtlMs: setting('KAIFANG_CACHE_TTL_MS', 2000, integer(0, 600_000), 'How long a process may cache credentials and method routes: a disabled key or changed method takes effect within this bound.'),
    cacheSize: setting('KAIFANG_CACHE_SIZE', 10_000, integer(0, 10_000_000), 'Most credentials/routes cached per process.'),
    upstreamTimeoutMs: setting('KAIFANG_UPSTREAM_TIMEOUT_MS', 5000, integer(100, 120_000), 'Default timeout of a call to an upstream service.'),
    wechatApiUrl: setting('KAIFANG_WECHAT_API_URL', undefined, optionalUrl('http:', 'https:'), 'Live mode: base URL of the WeChat API (unset = https://api.weixin.qq.com). Sandbox mode always uses this server\'s /sandbox/wechat.'),
    smsProvider: setting('KAIFANG_SMS_PROVIDER', 'sandbox', oneOf('sandbox', 'aliyun', 'tencent', 'webhook'), 'Who sends SMS codes: sandbox (outbox, read via the admin API), aliyun, tencent, or webhook (your own gateway).'),
    smsAliyunEndpoint: setting('KAIFANG_SMS_ALIYUN_ENDPOINT', undefined, optionalUrl('http:', 'https:'), 'Live mode: Alibaba Cloud SMS endpoint (unset = https://dysmsapi.aliyuncs.com). Sandbox mode uses /sandbox/aliyun-sms.'),
    smsAliyunAccessKeyId: setting('KAIFANG_SMS_ALIYUN_ACCESS_KEY_ID', undefined, optionalText, 'Alibaba Cloud AccessKey ID (required for aliyun in live mode; sandbox default `sandbox-aliyun-id`).'),
    smsAliyunAccessKeySecret: setting('KAIFANG_SMS_ALIYUN_ACCESS_KEY_SECRET', undefined, optionalText, 'Alibaba Cloud AccessKey secret (required for aliyun in live mode; sandbox default `sandbox-aliyun-secret`).'),
    smsAliyunSignName: setting('KAIFANG_SMS_ALIYUN_SIGN_NAME', undefined, optionalText, 'Alibaba Cloud SMS SignName (required for aliyun in live mode; sandbox default `kaifang`).'),
    smsAliyunTemplateCode: setting('KAIFANG_SMS_ALIYUN_TEMPLATE_CODE', undefined, optionalText, 'Alibaba Cloud SMS TemplateCode of a template with one variable ${code} (required for aliyun in live mode; sandbox default `SMS_000000`).'),
    smsTencentEndpoint: setting('KAIFANG_SMS_TENCENT_ENDPOINT', undefined, optionalUrl('http:', 'https:'), 'Live mode: Tencent Cloud SMS endpoint (unset = https://sms.tencentcloudapi.com). Sandbox mode uses /sandbox/tencent-sms.'),
    smsTencentSecretId: setting('KAIFANG_SMS_TENCENT_SECRET_ID', undefined, optionalText, 'Tencent Cloud SecretId (required for tencent in live mode; sandbox default `AKIDsandbox`).'),
    smsTencentSecretKey: setting('KAIFANG_SMS_TENCENT_SECRET_KEY', undefined, optionalText, 'Tencent Cloud SecretKey (required for tencent in live mode; sandbox default `sandbox-tencent-key`).'),
    smsTencentSdkAppId: setting('KAIFANG_SMS_TENCENT_SDK_APP_ID', undefined, optionalText, 'Tencent Cloud SMS SmsSdkAppId (required for tencent in live mode; sandbox default `1400000000`).'),
    smsTencentSignName: setting('KAIFANG_SMS_TENCENT_SIGN_NAME', undefined, optionalText, 'Tencent Cloud SMS SignName (required for tencent in live mode; sandbox default `kaifang`).'),
    smsTencentTemplateId: setting('KAIFANG_SMS_TENCENT_TEMPLATE_ID', undefined, optionalText, 'Tencent Cloud SMS TemplateId (required for tencent in live mode; sandbox default `100000`).'),
    smsTencentTemplateParams: setting('KAIFANG_SMS_TENCENT_TEMPLATE_PARAMS', 'code,minutes', oneOf('code', 'code,minutes'), 'Tencent Cloud SMS: the variables of the approved template, {1}=code and {2}=minutes, or only {1}=code.'),
    smsTencentRegion: setting('KAIFANG_SMS_TENCENT_REGION', 'ap-guangzhou', text, 'Tencent Cloud SMS region (X-TC-Region).'),
    smsWebhookUrl: setting('KAIFANG_SMS_WEBHOOK_URL', undefined, optionalUrl('http:', 'https:'), 'webhook provider: your gateway URL, POSTed signed JSON (used in both modes; required in live mode; unset in sandbox mode = this server\'s /sandbox/sms/webhook).'),
    smsWebhookSecret: setting('KAIFANG_SMS_WEBHOOK_SECRET', undefined, optionalText, 'webhook provider: HMAC-SHA256 key of X-Kaifang-Signature (required in live mode; sandbox default `sandbox-webhook-secret`).'),
    callLogRetentionDays: setting('KAIFANG_CALL_LOG_RETENTION_DAYS', 30, integer(1, 3650), 'Call-log rows older than this are deleted.'),
    opretailAid: setting('KAIFANG_OPRETAIL_AID', 'S107', text, 'Opretail `_aid`: this deployment\'s platform system number.'),
    opretailTimestampWindowS: setting('KAIFANG_OPRETAIL_TIMESTAMP_WINDOW_S', 600, integer(1, 86_400), 'Opretail: how far `_timestamp` may be from now, seconds, either way; a signature is remembered for replay protection while its `_timestamp` is inside this window.'),
    opretailRatePerSecond: setting('KAIFANG_OPRETAIL_RATE_PER_SECOND', 100, integer(1, 1_000_000), 'Opretail: default calls per second per key (a key or method may set its own).'),
    opretailRatePerDay: setting('KAIFANG_OPRETAIL_RATE_PER_DAY', 1_000_000, integer(1, 1_000_000_000), 'Opretail: default calls per CST day per key (a key or method may set its own).'),
    storeposMinVersion: setting('KAIFANG_STOREPOS_MIN_VERSION', '1.0', dottedVersion, 'storepos: lowest caller `version` served; a lower one gets state VER. Dotted numbers, compared numerically (1.10 > 1.9).'),
    storeposSmsValidMinutes: setting('KAIFANG_STOREPOS_SMS_VALID_MINUTES', 20, integer(1, 1440), 'storepos: how long an SMS code stays valid, minutes (returned as `code` by GetMchSMSValid).'),
    storeposSmsIntervalS: setting('KAIFANG_STOREPOS_SMS_INTERVAL_S', 60, integer(1, 86_400), 'storepos: least time between two SMS codes sent to one mobile, seconds (all agents together).'),
    storeposSmsPerMobilePerDay: setting('KAIFANG_STOREPOS_SMS_PER_MOBILE_PER_DAY', 10, integer(1, 1_000_000), 'storepos: most SMS codes sent to one mobile per CST day (all agents together).'),
    storeposSmsPerAgentPerDay: setting('KAIFANG_STOREPOS_SMS_PER_AGENT_PER_DAY', 10_000, integer(1, 1_000_000_000), 'storepos: default most SMS codes one agent may send per CST day (an agent may have its own cap).'),
};
/** Reads the configuration from `env` (and the file it names); throws ConfigError on a bad value. */
export function loadConfig(env = process.env, overrides = {}) {
    let file = {};
    const path = env.KAIFANG_CONFIG;
    if (path) {
        try {
            file = JSON.parse(readFileSync(path, 'utf8'));
        }
        catch (err) {
            throw new ConfigError('KAIFANG_CONFIG', `cannot read ${path} as JSON: ${err.message}`);
        }
        if (typeof file !== 'object' || file === null || Array.isArray(file)) {
            throw new ConfigError('KAIFANG_CONFIG', `${path} must hold a JSON object of setting names to values`);
        }
        const known = new Set(Object.values(settings).map((s) => s.env));
        for (const key of Object.keys(file)) {
            if (!known.has(key))
                throw new ConfigError(key, `is not a kaifang setting (in ${path})`);
        }
    }
    const out = {};
    for (const [name, spec] of Object.entries(settings)) {
        if (name in overrides && overrides[name] !== undefined) {
            out[name] = overrides[name];
            continue;
        }
        const inFile = file[spec.env];
        if (inFile !== undefined && !['string', 'number', 'boolean'].includes(typeof inFile)) {
            throw new ConfigError(spec.env, `must be a string, number or boolean in ${path}, got ${inFile === null ? 'null' : Array.isArray(inFile) ? 'an array' : 'an object'}`);
        }
        const raw = env[spec.env] ?? (inFile === undefined ? undefined : String(inFile));
        out[name] = raw === undefined ? spec.default : spec.parse(raw, spec.env);
    }
    return out;
}
/** Hides the password of a connection URL before it is printed. */
export function redactUrl(raw) {
    return raw.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
}
