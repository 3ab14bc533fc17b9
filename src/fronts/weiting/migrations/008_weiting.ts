import type { Kysely } from 'kysely';
import {
  createSandboxTemplateMessages,
  createSandboxWechatTokens,
  createWechatOfficialAccounts,
} from '../../../store/migrations/platformTables.ts';
import { withId } from '../../../store/migrations/util.ts';

/**
 * WeChat official accounts (core/wechat), the 微厅 front's partner apps, users and their bound
 * devices, partner reports (logins, data-plan orders), prize notices, and the sandbox WeChat's
 * inbox of template messages and its official-account tokens.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await createWechatOfficialAccounts(db);

  await withId(db, db.schema.createTable('weiting_apps'))
    .addColumn('appid', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    // JSON array of host names the login broker may send users back to.
    .addColumn('allowed_hosts', 'text', (c) => c.notNull())
    .addColumn('daily_token_limit', 'integer')
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await withId(db, db.schema.createTable('weiting_users'))
    // The seed's `_id`: 24 hexadecimal digits.
    .addColumn('public_id', 'text', (c) => c.notNull().unique())
    .addColumn('openid', 'text', (c) => c.notNull().unique())
    .addColumn('nickname', 'text', (c) => c.notNull())
    .addColumn('headimg', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await withId(db, db.schema.createTable('weiting_bindings'))
    .addColumn('user_ref', 'bigint', (c) => c.notNull().references('weiting_users.id').onDelete('cascade'))
    .addColumn('deviceno', 'text', (c) => c.notNull())
    .addColumn('devicename', 'text', (c) => c.notNull())
    .addColumn('bpn', 'text', (c) => c.notNull())
    .addColumn('sort', 'text', (c) => c.notNull())
    .addColumn('bound_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('weiting_bindings_user_device', ['user_ref', 'deviceno'])
    .execute();

  await withId(db, db.schema.createTable('weiting_reports'))
    .addColumn('app_ref', 'bigint', (c) => c.notNull())
    // 'login' (weekBind/create) or 'order' (flowOrders/create).
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('order_no', 'text', (c) => c.unique())
    .addColumn('openid', 'text', (c) => c.notNull())
    .addColumn('deviceno', 'text', (c) => c.notNull())
    // Every field the partner sent, as JSON.
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await withId(db, db.schema.createTable('weiting_notices'))
    .addColumn('app_ref', 'bigint', (c) => c.notNull())
    .addColumn('openid', 'text', (c) => c.notNull())
    .addColumn('fields', 'text', (c) => c.notNull())
    // 'sent', 'refused', 'unavailable', 'limited'.
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('msgid', 'text')
    .addColumn('reason', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('weiting_notices_openid').on('weiting_notices').columns(['openid', 'id']).execute();

  await createSandboxTemplateMessages(db);

  await createSandboxWechatTokens(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'sandbox_wechat_tokens',
    'sandbox_template_messages',
    'weiting_notices',
    'weiting_reports',
    'weiting_bindings',
    'weiting_users',
    'weiting_apps',
    'wechat_official_accounts',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
