import type { Kysely } from 'kysely';

/**
 * The core pieces the fronts share: stored first outcomes of idempotent operations, bearer tokens
 * (access tokens, tickets, one-time codes) stored only as their SHA-256, and the platform's own
 * facts about the store (the sealed value that proves which master key it belongs to).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('platform_meta')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('idempotency_records')
    .addColumn('key', 'text', (c) => c.primaryKey())
    // What the first request asked; a repeat under the same key that asks something else is a conflict.
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    // 'running' while the first caller works, 'done' once its outcome is stored.
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text')
    // A running record whose lease passed was left by a process that died; another may take it over.
    .addColumn('lease_until', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('idempotency_records_expires_at').on('idempotency_records').column('expires_at').execute();

  await db.schema
    .createTable('bearer_tokens')
    .addColumn('hash', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('data', 'text')
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('bearer_tokens_subject').on('bearer_tokens').columns(['kind', 'subject', 'expires_at']).execute();
  await db.schema.createIndex('bearer_tokens_expires_at').on('bearer_tokens').column('expires_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('platform_meta').execute();
  await db.schema.dropTable('bearer_tokens').execute();
  await db.schema.dropTable('idempotency_records').execute();
}
