import type { Generated } from 'kysely';

/**
 * The durable tables, typed for Kysely. Times are milliseconds since the epoch (bigint), flags are
 * integers, secrets are sealed by SecretBox (`*_sealed`). Here: the platform's own tables (state,
 * call log, core pieces, the WeChat apps, the sandbox's records); each front adds its own from its
 * `tables.ts` by declaration merging, so the type lists exactly the tables of the fronts that exist.
 */
export interface Database {
  kv_state: KvStateTable;
  /** SQLite only (see migration 005). */
  once_log: OnceLogTable;
  call_log: CallLogTable;
  sandbox_sms_outbox: SandboxSmsOutboxTable;
  wechat_miniapps: WechatMiniappTable;
  idempotency_records: IdempotencyRecordTable;
  bearer_tokens: BearerTokenTable;
  platform_meta: PlatformMetaTable;
  wechat_pay_merchants: WechatPayMerchantTable;
  wechat_official_accounts: WechatOfficialAccountTable;
  sandbox_template_messages: SandboxTemplateMessageTable;
  sandbox_wechat_tokens: SandboxWechatTokenTable;
  admin_tokens: AdminTokenTable;
  audit_log: AuditLogTable;
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
  /** ok, refused, upstream_error or error; NULL on rows logged before migration 012. */
  result: string | null;
  latency_ms: number;
  request_id: string;
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

/** An admin API token by its SHA-256 (core/adminTokens.ts): the rotated root token, or a named scoped one. */
export interface AdminTokenTable {
  id: Generated<number>;
  name: string;
  hash: string;
  /** 'root', 'write' or 'read'. */
  scope: string;
  /** A JSON array of the fronts it is limited to; null = every front. */
  fronts: string | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

/** One admin write, from the API or the CLI (core/auditLog.ts); `detail` is JSON without secrets. */
export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  actor: string;
  action: string;
  front: string | null;
  object_id: string | null;
  /** 'ok', or the refusal's status / error kind. */
  outcome: string;
  detail: string | null;
  request_id: string | null;
}
