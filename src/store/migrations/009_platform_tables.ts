import type { Kysely } from 'kysely';
import {
  createSandboxTemplateMessages,
  createSandboxWechatTokens,
  createWechatMiniapps,
  createWechatOfficialAccounts,
  createWechatPayMerchants,
} from './platformTables.ts';

/**
 * The platform's tables that fronts' migrations made first (see platformTables.ts), made here when
 * a store was made without that front: a no-op on every store that has all four fronts.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await createWechatMiniapps(db);
  await createWechatPayMerchants(db);
  await createWechatOfficialAccounts(db);
  await createSandboxTemplateMessages(db);
  await createSandboxWechatTokens(db);
}

export async function down(): Promise<void> {
  // The tables may have been made by a front's migration; that migration's down drops them.
}
