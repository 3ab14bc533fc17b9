import type { Generated } from 'kysely';

/**
 * The durable tables, typed for Kysely. Times are milliseconds since the epoch (bigint), flags are
 * integers, secrets are sealed by SecretBox (`*_sealed`).
 */
export interface Database {
  kv_state: KvStateTable;
  /** SQLite only (see migration 005). */
  once_log: OnceLogTable;
  call_log: CallLogTable;
  opretail_developer_keys: OpretailDeveloperKeyTable;
  opretail_methods: OpretailMethodTable;
  opretail_grants: OpretailGrantTable;
  sandbox_sms_outbox: SandboxSmsOutboxTable;
  storepos_agents: StoreposAgentTable;
  wechat_miniapps: WechatMiniappTable;
  storepos_grants: StoreposGrantTable;
  idempotency_records: IdempotencyRecordTable;
  bearer_tokens: BearerTokenTable;
  platform_meta: PlatformMetaTable;
  wechat_pay_merchants: WechatPayMerchantTable;
  jucai_isvs: JucaiIsvTable;
  jucai_merchants: JucaiMerchantTable;
  jucai_apps: JucaiAppTable;
  jucai_channels: JucaiChannelTable;
  wechat_official_accounts: WechatOfficialAccountTable;
  weiting_apps: WeitingAppTable;
  weiting_users: WeitingUserTable;
  weiting_bindings: WeitingBindingTable;
  weiting_reports: WeitingReportTable;
  weiting_notices: WeitingNoticeTable;
  sandbox_template_messages: SandboxTemplateMessageTable;
  sandbox_wechat_tokens: SandboxWechatTokenTable;
}

export interface KvStateTable {
  key: string;
  value: string;
  /** The counter of `incr`; 0 for plain values. */
  n: number;
  expires_at: number;
}

export interface OnceLogTable {
  seq: Generated<number>;
  id: string;
  expires_at: number;
}

export interface CallLogTable {
  id: Generated<number>;
  at: number;
  front: string;
  endpoint: string;
  credential: string | null;
  outcome: string;
  latency_ms: number;
  request_id: string;
}

export interface OpretailDeveloperKeyTable {
  id: Generated<number>;
  username: string;
  application_id: string;
  application_key: string;
  application_secret_sealed: string;
  keytype: number;
  expire: number | null;
  enterprise_id: number;
  shopweb_enterprise_id: number | null;
  switch_status: number;
  switch_time: number | null;
  developer_type: number;
  supplier_account: string | null;
  rate_per_second: number | null;
  rate_per_day: number | null;
  created_at: number;
  updated_at: number;
}

export interface OpretailMethodTable {
  id: Generated<number>;
  name: string;
  version: string;
  url: string;
  test_url: string | null;
  timeout_ms: number | null;
  enabled: number;
  rate_per_second: number | null;
  rate_per_day: number | null;
  description: string | null;
  created_at: number;
  updated_at: number;
}

export interface OpretailGrantTable {
  key_id: number;
  method_id: number;
  created_at: number;
}

export interface StoreposAgentTable {
  id: Generated<number>;
  /** The agent number callers send as `agent_id` (17 digits when kaifang generates it). */
  agent_id: string;
  name: string;
  key_sealed: string;
  enabled: number;
  /** Own SMS sends per CST day; null = KAIFANG_STOREPOS_SMS_PER_AGENT_PER_DAY. */
  sms_daily_cap: number | null;
  created_at: number;
  updated_at: number;
}

export interface WechatMiniappTable {
  id: Generated<number>;
  appid: string;
  name: string;
  secret_sealed: string;
  enabled: number;
  created_at: number;
  updated_at: number;
}

export interface StoreposGrantTable {
  agent_ref: number;
  miniapp_ref: number;
  created_at: number;
}

/** What the sandbox SMS simulators "sent" (sandbox mode only). */
export interface SandboxSmsOutboxTable {
  id: Generated<number>;
  at: number;
  /** Which simulator received it: sandbox, aliyun, tencent, webhook. */
  provider: string;
  /** 11-digit mainland number (a +86 prefix is removed). */
  mobile: string;
  text: string;
  code: string | null;
  template: string | null;
}

/** The stored first outcome of an idempotent operation (core/idempotency.ts). */
export interface IdempotencyRecordTable {
  key: string;
  fingerprint: string;
  state: 'running' | 'done';
  /** JSON of the outcome once done. */
  outcome: string | null;
  lease_until: number;
  expires_at: number;
  created_at: number;
}

/** A bearer token, access token, ticket or one-time code, by its SHA-256 (core/bearerTokens.ts). */
export interface BearerTokenTable {
  hash: string;
  /** Which kind of token ('weiting:access', …): kinds never answer for each other. */
  kind: string;
  /** Whom it stands for (an app id, …). */
  subject: string;
  /** What it carries besides (an openid, a mobile), as text. */
  data: string | null;
  expires_at: number;
  created_at: number;
}

/** The platform's facts about its store, by name (`master_key_check`, `write_probe`). */
export interface PlatformMetaTable {
  name: string;
  value: string;
}

/** A WeChat Pay merchant (service provider) the platform holds the API v2 key of. */
export interface WechatPayMerchantTable {
  id: Generated<number>;
  mch_id: string;
  appid: string;
  name: string;
  key_sealed: string;
  enabled: number;
  created_at: number;
  updated_at: number;
}

export interface JucaiIsvTable {
  id: Generated<number>;
  /** `ISV_…`, the `orgId` of replies. */
  isv_no: string;
  name: string;
  enabled: number;
  created_at: number;
  updated_at: number;
}

export interface JucaiMerchantTable {
  id: Generated<number>;
  /** `MCH_…`, the `mchNo` callers send. */
  mch_no: string;
  isv_ref: number;
  name: string;
  enabled: number;
  /** Calls per second for the whole merchant; null = KAIFANG_JUCAI_MCH_RATE_PER_SECOND. */
  rate_per_second: number | null;
  /** Calls per second for each of its apps; null = KAIFANG_JUCAI_APP_RATE_PER_SECOND. */
  app_rate_per_second: number | null;
  created_at: number;
  updated_at: number;
}

export interface JucaiAppTable {
  id: Generated<number>;
  app_id: string;
  mch_ref: number;
  name: string;
  secret_sealed: string;
  enabled: number;
  created_at: number;
  updated_at: number;
}

export interface JucaiChannelTable {
  mch_ref: number;
  way_code: string;
  enabled: number;
  wechat_pay_mch_id: string | null;
  sub_mch_id: string | null;
  sub_appid: string | null;
  bridge_url: string | null;
  bridge_merchant_no: string | null;
  bridge_secret_sealed: string | null;
  created_at: number;
  updated_at: number;
}

/** A WeChat official account the platform holds the AppSecret of, with its prize-notice template. */
export interface WechatOfficialAccountTable {
  id: Generated<number>;
  appid: string;
  name: string;
  secret_sealed: string;
  enabled: number;
  prize_template_id: string | null;
  /** JSON `{first, activity, prize, remark}` → template keyword names. */
  prize_keywords: string | null;
  created_at: number;
  updated_at: number;
}

export interface WeitingAppTable {
  id: Generated<number>;
  appid: string;
  name: string;
  secret_sealed: string;
  /** JSON array of host names. */
  allowed_hosts: string;
  daily_token_limit: number | null;
  enabled: number;
  created_at: number;
  updated_at: number;
}

export interface WeitingUserTable {
  id: Generated<number>;
  public_id: string;
  openid: string;
  nickname: string;
  headimg: string;
  created_at: number;
  updated_at: number;
}

export interface WeitingBindingTable {
  id: Generated<number>;
  user_ref: number;
  deviceno: string;
  devicename: string;
  bpn: string;
  sort: string;
  bound_at: number;
}

export interface WeitingReportTable {
  id: Generated<number>;
  app_ref: number;
  kind: 'login' | 'order';
  order_no: string | null;
  openid: string;
  deviceno: string;
  payload: string;
  created_at: number;
}

export interface WeitingNoticeTable {
  id: Generated<number>;
  app_ref: number;
  openid: string;
  fields: string;
  outcome: 'sent' | 'refused' | 'unavailable' | 'limited';
  msgid: string | null;
  reason: string | null;
  created_at: number;
}

/** What the sandbox's official account "sent" (sandbox mode only). */
export interface SandboxTemplateMessageTable {
  id: Generated<number>;
  at: number;
  appid: string;
  touser: string;
  template_id: string;
  url: string | null;
  data: string;
  msgid: string;
}

export interface SandboxWechatTokenTable {
  id: Generated<number>;
  appid: string;
  token_hash: string;
  fetched_at: number;
  expires_at: number;
}
