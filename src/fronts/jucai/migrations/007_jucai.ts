import type { Kysely } from 'kysely';
import { createWechatPayMerchants } from '../../../store/migrations/platformTables.ts';
import { withId } from '../../../store/migrations/util.ts';

/**
 * WeChat Pay merchants (the platform's WeChat Pay accounts, shared by the fronts that use them)
 * and the 巨彩 front's ISVs, merchants, apps and per-wayCode channels.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await createWechatPayMerchants(db);

  await withId(db, db.schema.createTable('jucai_isvs'))
    .addColumn('isv_no', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await withId(db, db.schema.createTable('jucai_merchants'))
    .addColumn('mch_no', 'text', (c) => c.notNull().unique())
    .addColumn('isv_ref', 'bigint', (c) => c.notNull().references('jucai_isvs.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('rate_per_second', 'integer')
    .addColumn('app_rate_per_second', 'integer')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await withId(db, db.schema.createTable('jucai_apps'))
    .addColumn('app_id', 'text', (c) => c.notNull().unique())
    .addColumn('mch_ref', 'bigint', (c) => c.notNull().references('jucai_merchants.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('secret_sealed', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('jucai_channels')
    .addColumn('mch_ref', 'bigint', (c) => c.notNull().references('jucai_merchants.id'))
    .addColumn('way_code', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    // WECHAT: which WeChat Pay merchant (service provider) and the sub-merchant under it.
    .addColumn('wechat_pay_mch_id', 'text')
    .addColumn('sub_mch_id', 'text')
    .addColumn('sub_appid', 'text')
    // UNIONPAY: the acquirer bridge.
    .addColumn('bridge_url', 'text')
    .addColumn('bridge_merchant_no', 'text')
    .addColumn('bridge_secret_sealed', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('jucai_channels_pk', ['mch_ref', 'way_code'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('jucai_channels').execute();
  await db.schema.dropTable('jucai_apps').execute();
  await db.schema.dropTable('jucai_merchants').execute();
  await db.schema.dropTable('jucai_isvs').execute();
  await db.schema.dropTable('wechat_pay_merchants').execute();
}
