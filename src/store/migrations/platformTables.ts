import type { Kysely } from 'kysely';
import { withId } from './util.ts';

/**
 * The platform's tables that a front's migration made first, when the WeChat apps and the sandbox's
 * records arrived with the front that used them first (004 storepos, 007 jucai, 008 weiting). Those
 * migrations call these; 009 calls them all, so a store made without one of those fronts still has
 * every platform table. Each is created only when it is not there, with the columns it always had.
 */

export async function createWechatMiniapps(db: Kysely<unknown>): Promise<void> {
  await withId(db, db.schema.createTable('wechat_miniapps').ifNotExists())
    .addColumn('appid', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function createWechatPayMerchants(db: Kysely<unknown>): Promise<void> {
  await withId(db, db.schema.createTable('wechat_pay_merchants').ifNotExists())
    .addColumn('mch_id', 'text', (c) => c.notNull().unique())
    .addColumn('appid', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('key_sealed', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function createWechatOfficialAccounts(db: Kysely<unknown>): Promise<void> {
  await withId(db, db.schema.createTable('wechat_official_accounts').ifNotExists())
    .addColumn('appid', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('prize_template_id', 'text')
    .addColumn('prize_keywords', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function createSandboxTemplateMessages(db: Kysely<unknown>): Promise<void> {
  await withId(db, db.schema.createTable('sandbox_template_messages').ifNotExists())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('appid', 'text', (c) => c.notNull())
    .addColumn('touser', 'text', (c) => c.notNull())
    .addColumn('template_id', 'text', (c) => c.notNull())
    .addColumn('url', 'text')
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('msgid', 'text', (c) => c.notNull())
    .execute();
}

// The sandbox WeChat's official-account access tokens (every process's simulator shares them).
export async function createSandboxWechatTokens(db: Kysely<unknown>): Promise<void> {
  await withId(db, db.schema.createTable('sandbox_wechat_tokens').ifNotExists())
    .addColumn('appid', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('fetched_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
}
