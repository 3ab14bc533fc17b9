import type { Kysely } from 'kysely';
import type { Database } from '../../../store/schema.ts';
import type { Clock } from '../../../kernel/clock.ts';
import { formatCompact } from '../../../kernel/cst.ts';
import type { Idempotency } from '../../../core/idempotency.ts';
import { randomDigits } from '../../../kernel/random.ts';
import { isUniqueViolation } from '../../../store/database.ts';
import type { WeitingApp } from './apps.ts';
import type { WeitingUsers } from './users.ts';
import { requestFingerprint } from './fingerprint.ts';
import { containsAny, searchText } from '../../../core/search.ts';

/** The admin's filter of a record list: one user, a search text, a page. */
export interface RecordFilter {
  openid?: string;
  q?: string;
  limit?: number;
  offset?: number;
}

interface ReportRow {
  appid: string;
  openid: string;
  deviceno: string | null;
  payload: string;
  created_at: number | string | bigint;
}

/** What an order and a login report show alike. */
const common = (r: ReportRow) => ({
  appid: r.appid,
  openid: r.openid,
  deviceno: r.deviceno,
  fields: JSON.parse(r.payload) as Record<string, string>,
  createdAt: Number(r.created_at),
});

export type ReportedOrder = { orderNo: string } & ReturnType<typeof common>;
export type ReportedLogin = { id: number } & ReturnType<typeof common>;

/** A partner's report: the fields it sent (validated by the front), at least `openid` and `deviceno`. */
export type ReportFields = Record<string, string> & { openid: string; deviceno: string };

/**
 * What partners report back: a user logged in with a device (recorded; the device is bound to
 * the user if it was not), and a data-plan order (recorded, answered with an order number). An
 * order number is the China time to the millisecond and 6 random digits: unique (the database's
 * index decides) and sorted by time across processes. It is answered only once its record is
 * committed, so an answered order is never lost; with an idempotency key, a retry gets the same number.
 */
export class PartnerReports {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly users: WeitingUsers,
    private readonly idempotency: Idempotency,
  ) {}

  async login(app: WeitingApp, fields: ReportFields): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('weiting_reports')
        .values({
          app_ref: app.id,
          kind: 'login',
          order_no: null,
          openid: fields.openid,
          deviceno: fields.deviceno,
          payload: JSON.stringify(fields),
          created_at: this.clock.now(),
        })
        .execute();
      await this.users.bind(fields.openid, { deviceno: fields.deviceno }, trx);
    });
    this.users.forget(fields.openid);
  }

  async order(app: WeitingApp, fields: ReportFields, idempotencyKey?: string): Promise<string> {
    const record = () => this.recordOrder(app, fields);
    if (idempotencyKey === undefined) return record();
    // The same key with another order (another package, user, device, channel…) is a Conflict: nothing recorded.
    const options = { fingerprint: requestFingerprint(fields) };
    return (await this.idempotency.run(`weiting:order:${app.id}:${idempotencyKey}`, 24 * 3600_000, record, options)).value;
  }

  private async recordOrder(app: WeitingApp, fields: ReportFields): Promise<string> {
    for (;;) {
      const now = this.clock.now();
      const orderNo = `${formatCompact(now)}${String(now % 1000).padStart(3, '0')}${randomDigits(6)}`;
      try {
        await this.db
          .insertInto('weiting_reports')
          .values({
            app_ref: app.id,
            kind: 'order',
            order_no: orderNo,
            openid: fields.openid,
            deviceno: fields.deviceno,
            payload: JSON.stringify(fields),
            created_at: now,
          })
          .execute();
        return orderNo;
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
    }
  }

  /** Recorded orders, newest first (admin), a page and how many match. */
  async orders(filter: RecordFilter = {}): Promise<{ items: ReportedOrder[]; total: number }> {
    const { rows, total } = await this.page('order', filter);
    return {
      items: rows.map((r) => ({ orderNo: r.order_no!, ...common(r) })),
      total,
    };
  }

  /** Reported logins, newest first (admin), a page and how many match. */
  async logins(filter: RecordFilter = {}): Promise<{ items: ReportedLogin[]; total: number }> {
    const { rows, total } = await this.page('login', filter);
    return { items: rows.map((r) => ({ id: Number(r.id), ...common(r) })), total };
  }

  /** One kind of report, filtered by `openid` and by `q` (in the openid or the device number). */
  private async page(kind: 'order' | 'login', filter: RecordFilter) {
    let where = this.db
      .selectFrom('weiting_reports')
      .innerJoin('weiting_apps', 'weiting_apps.id', 'weiting_reports.app_ref')
      .where('kind', '=', kind);
    if (filter.openid) where = where.where('weiting_reports.openid', '=', filter.openid);
    const text = searchText(filter.q);
    if (text) where = where.where(containsAny(['weiting_reports.openid', 'weiting_reports.deviceno'], text));
    const [rows, count] = await Promise.all([
      where
        .select([
          'weiting_reports.id',
          'weiting_reports.order_no',
          'weiting_reports.openid',
          'weiting_reports.deviceno',
          'weiting_reports.payload',
          'weiting_reports.created_at',
          'weiting_apps.appid',
        ])
        .orderBy('weiting_reports.id', 'desc')
        .limit(filter.limit ?? 50)
        .offset(filter.offset ?? 0)
        .execute(),
      where.select((eb) => eb.fn.countAll<number | string | bigint>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  }
}
