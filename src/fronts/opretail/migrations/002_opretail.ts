import type { Kysely } from 'kysely';
import { withId } from '../../../store/migrations/util.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await withId(db, db.schema.createTable('opretail_developer_keys'))
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('application_id', 'text', (c) => c.notNull())
    .addColumn('application_key', 'text', (c) => c.notNull().unique())
    .addColumn('application_secret_sealed', 'text', (c) => c.notNull())
    .addColumn('keytype', 'integer', (c) => c.notNull())
    .addColumn('expire', 'bigint')
    .addColumn('enterprise_id', 'bigint', (c) => c.notNull())
    .addColumn('shopweb_enterprise_id', 'bigint')
    .addColumn('switch_status', 'integer', (c) => c.notNull())
    .addColumn('switch_time', 'bigint')
    .addColumn('developer_type', 'integer', (c) => c.notNull())
    .addColumn('supplier_account', 'text')
    .addColumn('rate_per_second', 'integer')
    .addColumn('rate_per_day', 'integer')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await withId(db, db.schema.createTable('opretail_methods'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('test_url', 'text')
    .addColumn('timeout_ms', 'integer')
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('rate_per_second', 'integer')
    .addColumn('rate_per_day', 'integer')
    .addColumn('description', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('opretail_methods_name_version', ['name', 'version'])
    .execute();

  await db.schema
    .createTable('opretail_grants')
    .addColumn('key_id', 'bigint', (c) => c.notNull().references('opretail_developer_keys.id').onDelete('cascade'))
    .addColumn('method_id', 'bigint', (c) => c.notNull().references('opretail_methods.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('opretail_grants_pk', ['key_id', 'method_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('opretail_grants').execute();
  await db.schema.dropTable('opretail_methods').execute();
  await db.schema.dropTable('opretail_developer_keys').execute();
}
