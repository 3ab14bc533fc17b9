import { InvalidInput, NotFound } from '../../../kernel/errors.ts';
import { OPENID_PATTERN } from '../domain/users.ts';
import { checkInteger } from '../../../kernel/validation.ts';
import { parseImport } from '../importRows.ts';
import type { ListOptions } from '../../../core/credentials.ts';
import { listReply } from '../../kit/lists.ts';
import type { RecordFilter } from '../domain/reports.ts';
import { isoCreatedAt, presentApp, presentUser, type AppView } from './present.ts';
import type { WeitingServices } from '../services.ts';

export interface ImportReport {
  rows: { line: number; openid?: string; result: 'created' | 'updated' | 'skipped' | 'refused'; reason?: string }[];
  counts: { created: number; updated: number; skipped: number; refused: number };
}

/** A list's filter, checked here too: the CLI comes here without the admin API's schema. */
function checkListFilter({ openid, limit, offset }: RecordFilter): void {
  if (openid !== undefined && openid.length > 64) throw new InvalidInput('openid', 'openid is at most 64 characters');
  if (limit !== undefined) checkInteger('limit', limit, 1, 500);
  if (offset !== undefined) checkInteger('offset', offset, 0, 1_000_000);
}

/** The one list shape, for the records of notices, orders and logins. */
const recordList = <F extends string, T extends { createdAt: number }>(field: F, page: { items: T[]; total: number }, f: RecordFilter) =>
  listReply(field, page.items.map(isoCreatedAt), page.total, { limit: f.limit ?? 50, offset: f.offset ?? 0 });

/** What an operator does with the 微厅 front: shared by the admin API and the CLI. */
export function weitingOperations(s: WeitingServices) {
  return {
    listApps: async (page: ListOptions = {}) => {
      const [list, total] = await Promise.all([s.apps.list(page), s.apps.count(page)]);
      return listReply('apps', list.map(presentApp), total, page);
    },
    /**
     * Deletes an app and ends its access tokens. The notices and reports partners made with it are
     * kept as records unless `cascade` (else a 409 counts them); with it they go in the same transaction.
     */
    deleteApp: async (appid: string, cascade = false) => {
      const removed = await s.apps.remove(appid, { cascade });
      await s.accessTokens.revokeApp(appid);
      return { appid, deleted: true, notices: removed.notices ?? 0, reports: removed.reports ?? 0 };
    },
    setAppSecret: async (appid: string, secret: string) => {
      const app = await s.apps.rotateSecret(appid, secret);
      await s.accessTokens.revokeApp(appid);
      return presentApp(app);
    },
    /** Creates (or, with appid/secret, imports) an app; the reply carries the secret and `warnings`. */
    createApp: async (input: {
      name: string;
      allowedHosts?: string[];
      dailyTokenLimit?: number | null;
      appid?: string;
      secret?: string;
    }): Promise<AppView> => {
      const created = await s.apps.create(input);
      return { ...presentApp(created), ...(created.warning ? { warnings: [created.warning] } : {}) };
    },
    showApp: async (appid: string) => presentApp(await s.apps.get(appid)),
    /** Changes an app; disabling it also ends its access tokens (enabling it again does not bring them back). */
    updateApp: async (
      appid: string,
      changes: { name?: string; allowedHosts?: string[]; dailyTokenLimit?: number | null; enabled?: boolean },
    ) => {
      const app = await s.apps.update(appid, changes);
      if (changes.enabled === false) await s.accessTokens.revokeApp(appid);
      return presentApp(app);
    },
    /** A new secret (shown once); the app's access tokens, issued under the old one, end with it. */
    rotateAppSecret: async (appid: string, secret?: string) => {
      const app = await s.apps.rotateSecret(appid, secret);
      await s.accessTokens.revokeApp(appid);
      return presentApp(app);
    },
    /** Ends every access token of the app now: the partner gets a new one with its secret. */
    revokeTokens: async (appid: string) => {
      await s.apps.get(appid); // 404 for an unknown app
      return { appid, revoked: await s.accessTokens.revokeApp(appid) };
    },

    issueTicket: (mobile: string) => s.tickets.issue(mobile),
    showUser: async (openid: string) => {
      const user = await s.users.info(openid);
      // Unknown is 404 as for every other resource; only a malformed openid is 400.
      if (!user)
        throw OPENID_PATTERN.test(openid)
          ? new NotFound('user', `no user ${openid}`)
          : new InvalidInput('openid', 'openid must be 6–64 letters, digits, _ or -');
      return presentUser(user);
    },
    /** Imports users and bindings; every row reports what it did, a refused row writes nothing. */
    importUsers: async (text: string, format: 'csv' | 'jsonl'): Promise<ImportReport> => {
      const report: ImportReport = { rows: [], counts: { created: 0, updated: 0, skipped: 0, refused: 0 } };
      for (const parsed of parseImport(text, format)) {
        if ('refused' in parsed) {
          report.rows.push({
            line: parsed.line,
            ...(parsed.openid ? { openid: parsed.openid } : {}),
            result: 'refused',
            reason: parsed.refused,
          });
          report.counts.refused++;
          continue;
        }
        try {
          const result = await s.users.importRow(parsed.row);
          report.rows.push({ line: parsed.line, openid: parsed.row.openid, result });
          report.counts[result]++;
        } catch (err) {
          if (!(err instanceof InvalidInput)) throw err;
          report.rows.push({ line: parsed.line, openid: parsed.row.openid, result: 'refused', reason: err.message });
          report.counts.refused++;
        }
      }
      return report;
    },
    listNotices: async (filter: RecordFilter = {}) => {
      checkListFilter(filter);
      return recordList('notices', await s.notices.list(filter), filter);
    },
    listOrders: async (filter: RecordFilter = {}) => {
      checkListFilter(filter);
      return recordList('orders', await s.reports.orders(filter), filter);
    },
    listLogins: async (filter: RecordFilter = {}) => {
      checkListFilter(filter);
      return recordList('logins', await s.reports.logins(filter), filter);
    },
  };
}
export type WeitingOperations = ReturnType<typeof weitingOperations>;
