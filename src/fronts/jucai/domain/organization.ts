import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../../../store/schema.ts';
import type { JucaiIsvTable, JucaiMerchantTable } from '../tables.ts';
import { KNOWN_ABSENT, TtlCache, type Cached } from '../../../core/cache.ts';
import type { Clock } from '../../../kernel/clock.ts';
import { Conflict, NotFound } from '../../../kernel/errors.ts';
import { check, checkInteger, checkText, LIMITS } from '../../../kernel/validation.ts';
import { randomDigits } from '../../../kernel/random.ts';
import { insertUnique } from '../../../core/unique.ts';
import type { ListOptions } from '../../../core/credentials.ts';
import { containsAny, searchText } from '../../../core/search.ts';

/** An ISV (服务商): the organisation merchants are under; its number is the `orgId` of replies. */
export interface Isv {
  id: number;
  isvNo: string;
  name: string;
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

/** A merchant (商户), under an ISV: the `mchNo` callers send. */
export interface Merchant {
  id: number;
  mchNo: string;
  isvNo: string;
  name: string;
  enabled: boolean;
  /** Calls per second for the whole merchant; null = the deployment default. */
  ratePerSecond: number | null;
  /** Calls per second for each of the merchant's apps; null = the deployment default. */
  appRatePerSecond: number | null;
  createdAt: number;
  updatedAt: number;
}

/** A merchant as a call sees it: with its ISV's switch. */
export interface MerchantForCall extends Merchant {
  isvEnabled: boolean;
}

export const ISV_NO_PATTERN = /^ISV_[A-Za-z0-9]{1,28}$/;
export const MCH_NO_PATTERN = /^MCH_[A-Za-z0-9]{1,28}$/;

const isvFromRow = (row: Selectable<JucaiIsvTable>): Isv => ({
  id: Number(row.id),
  isvNo: row.isv_no,
  name: row.name,
  enabled: row.enabled === 1,
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
});

const merchantFromRow = (row: Selectable<JucaiMerchantTable> & { isv_no: string }): Merchant => ({
  id: Number(row.id),
  mchNo: row.mch_no,
  isvNo: row.isv_no,
  name: row.name,
  enabled: row.enabled === 1,
  ratePerSecond: row.rate_per_second,
  appRatePerSecond: row.app_rate_per_second,
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
});

function checkRates(input: { ratePerSecond?: number | null; appRatePerSecond?: number | null }): void {
  if (input.ratePerSecond != null) checkInteger('ratePerSecond', input.ratePerSecond, 1, LIMITS.ratePerSecond);
  if (input.appRatePerSecond != null) checkInteger('appRatePerSecond', input.appRatePerSecond, 1, LIMITS.ratePerSecond);
}

/**
 * The 巨彩 organisation: ISVs and the merchants under them. Numbers are made up in the seed's
 * shape (`ISV_I` / `MCH_I` and 9 digits) or imported as they are. A call looks its merchant up
 * through a per-process cache (`cacheTtlMs` is the bound on how long a switch-off takes elsewhere).
 */
export class Organization {
  private readonly forCall: TtlCache<MerchantForCall>;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    cache: { size: number; ttlMs: number },
  ) {
    this.forCall = new TtlCache(cache.size, cache.ttlMs);
  }

  async createIsv(input: { name: string; isvNo?: string }): Promise<Isv> {
    checkText('name', input.name, 100);
    if (input.isvNo !== undefined) check('isvNo', ISV_NO_PATTERN.test(input.isvNo), 'isvNo must be "ISV_" and 1–28 letters or digits');
    const isvNo = input.isvNo ?? `ISV_I${randomDigits(9)}`;
    const now = this.clock.now();
    const row = await insertUnique(
      this.db
        .insertInto('jucai_isvs')
        .values({ isv_no: isvNo, name: input.name, enabled: 1, created_at: now, updated_at: now })
        .returningAll()
        .executeTakeFirstOrThrow(),
      `ISV ${isvNo} already exists`,
    );
    return isvFromRow(row);
  }

  async listIsvs(options: ListOptions = {}): Promise<Isv[]> {
    const rows = await this.isvsMatching(options.q)
      .selectAll()
      .orderBy('id')
      .limit(options.limit ?? 100)
      .offset(options.offset ?? 0)
      .execute();
    return rows.map(isvFromRow);
  }

  async countIsvs(options: Pick<ListOptions, 'q'> = {}): Promise<number> {
    const row = await this.isvsMatching(options.q)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  private isvsMatching(q: string | undefined) {
    const text = searchText(q);
    const query = this.db.selectFrom('jucai_isvs');
    return text === undefined ? query : query.where(containsAny(['isv_no', 'name'], text));
  }

  /**
   * Deletes an ISV. One with merchants is refused (Conflict) unless `cascade`, which deletes its
   * merchants with their apps and channels too, all in one transaction.
   */
  async deleteIsv(isvNo: string, cascade = false): Promise<{ merchants: number; apps: number; channels: number }> {
    const counts = await this.db.transaction().execute(async (trx) => {
      const isv = await trx.selectFrom('jucai_isvs').select('id').where('isv_no', '=', isvNo).executeTakeFirst();
      if (!isv) throw new NotFound('isv', `no ISV ${isvNo}`);
      const merchants = trx.selectFrom('jucai_merchants').select('id').where('isv_ref', '=', isv.id);
      const n = Number(
        (
          await trx
            .selectFrom('jucai_merchants')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('isv_ref', '=', isv.id)
            .executeTakeFirstOrThrow()
        ).n,
      );
      if (n > 0 && !cascade)
        throw new Conflict(`ISV ${isvNo} has ${n} merchant(s): delete with cascade=true to delete them (and their apps and channels) too`);
      const apps = await trx.deleteFrom('jucai_apps').where('mch_ref', 'in', merchants).executeTakeFirst();
      const channels = await trx.deleteFrom('jucai_channels').where('mch_ref', 'in', merchants).executeTakeFirst();
      await trx.deleteFrom('jucai_merchants').where('isv_ref', '=', isv.id).execute();
      await trx.deleteFrom('jucai_isvs').where('id', '=', isv.id).execute();
      return { merchants: n, apps: Number(apps.numDeletedRows), channels: Number(channels.numDeletedRows) };
    });
    this.forCall.clear();
    return counts;
  }

  /** Deletes a merchant; one with apps or channels is refused (Conflict) unless `cascade`, which deletes them too in one transaction. */
  async deleteMerchant(mchNo: string, cascade = false): Promise<{ apps: number; channels: number }> {
    const counts = await this.db.transaction().execute(async (trx) => {
      const merchant = await trx.selectFrom('jucai_merchants').select('id').where('mch_no', '=', mchNo).executeTakeFirst();
      if (!merchant) throw new NotFound('merchant', `no merchant ${mchNo}`);
      const count = async (table: 'jucai_apps' | 'jucai_channels') =>
        Number(
          (
            await trx
              .selectFrom(table)
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .where('mch_ref', '=', merchant.id)
              .executeTakeFirstOrThrow()
          ).n,
        );
      const apps = await count('jucai_apps');
      const channels = await count('jucai_channels');
      if ((apps > 0 || channels > 0) && !cascade)
        throw new Conflict(`merchant ${mchNo} has ${apps} app(s) and ${channels} channel(s): delete with cascade=true to delete them too`);
      await trx.deleteFrom('jucai_apps').where('mch_ref', '=', merchant.id).execute();
      await trx.deleteFrom('jucai_channels').where('mch_ref', '=', merchant.id).execute();
      await trx.deleteFrom('jucai_merchants').where('id', '=', merchant.id).execute();
      return { apps, channels };
    });
    this.forCall.delete(mchNo);
    return counts;
  }

  async getIsv(isvNo: string): Promise<Isv> {
    const row = await this.db.selectFrom('jucai_isvs').selectAll().where('isv_no', '=', isvNo).executeTakeFirst();
    if (!row) throw new NotFound('isv', `no ISV ${isvNo}`);
    return isvFromRow(row);
  }

  async updateIsv(isvNo: string, changes: { name?: string; enabled?: boolean }): Promise<Isv> {
    if (changes.name !== undefined) checkText('name', changes.name, 100);
    const row = await this.db
      .updateTable('jucai_isvs')
      .set({
        ...(changes.name !== undefined ? { name: changes.name } : {}),
        ...(changes.enabled !== undefined ? { enabled: changes.enabled ? 1 : 0 } : {}),
        updated_at: this.clock.now(),
      })
      .where('isv_no', '=', isvNo)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw new NotFound('isv', `no ISV ${isvNo}`);
    this.forCall.clear();
    return isvFromRow(row);
  }

  async createMerchant(input: {
    isvNo: string;
    name: string;
    mchNo?: string;
    ratePerSecond?: number | null;
    appRatePerSecond?: number | null;
  }): Promise<Merchant> {
    checkText('name', input.name, 100);
    if (input.mchNo !== undefined) check('mchNo', MCH_NO_PATTERN.test(input.mchNo), 'mchNo must be "MCH_" and 1–28 letters or digits');
    checkRates(input);
    const isv = await this.getIsv(input.isvNo);
    const mchNo = input.mchNo ?? `MCH_I${randomDigits(9)}`;
    const now = this.clock.now();
    await insertUnique(
      this.db
        .insertInto('jucai_merchants')
        .values({
          mch_no: mchNo,
          isv_ref: isv.id,
          name: input.name,
          enabled: 1,
          rate_per_second: input.ratePerSecond ?? null,
          app_rate_per_second: input.appRatePerSecond ?? null,
          created_at: now,
          updated_at: now,
        })
        .execute(),
      `merchant ${mchNo} already exists`,
    );
    this.forCall.delete(mchNo);
    return this.getMerchant(mchNo);
  }

  private merchants() {
    return this.db
      .selectFrom('jucai_merchants')
      .innerJoin('jucai_isvs', 'jucai_isvs.id', 'jucai_merchants.isv_ref')
      .selectAll('jucai_merchants')
      .select(['jucai_isvs.isv_no', 'jucai_isvs.enabled as isv_enabled']);
  }

  async listMerchants(options: ListOptions & { isvNo?: string } = {}): Promise<Merchant[]> {
    const rows = await this.merchantsMatching(options)
      .selectAll('jucai_merchants')
      .select(['jucai_isvs.isv_no', 'jucai_isvs.enabled as isv_enabled'])
      .orderBy('jucai_merchants.id')
      .limit(options.limit ?? 100)
      .offset(options.offset ?? 0)
      .execute();
    return rows.map(merchantFromRow);
  }

  async countMerchants(options: Pick<ListOptions, 'q'> & { isvNo?: string } = {}): Promise<number> {
    const row = await this.merchantsMatching(options)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  private merchantsMatching(options: { q?: string; isvNo?: string }) {
    let query = this.db.selectFrom('jucai_merchants').innerJoin('jucai_isvs', 'jucai_isvs.id', 'jucai_merchants.isv_ref');
    if (options.isvNo !== undefined) query = query.where('jucai_isvs.isv_no', '=', options.isvNo);
    const text = searchText(options.q);
    return text === undefined ? query : query.where(containsAny(['jucai_merchants.mch_no', 'jucai_merchants.name'], text));
  }

  async getMerchant(mchNo: string): Promise<Merchant> {
    const row = await this.merchants().where('jucai_merchants.mch_no', '=', mchNo).executeTakeFirst();
    if (!row) throw new NotFound('merchant', `no merchant ${mchNo}`);
    return merchantFromRow(row);
  }

  /** Merchant numbers by row id (for showing apps). */
  async merchantNumbers(ids: number[]): Promise<Map<number, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.selectFrom('jucai_merchants').select(['id', 'mch_no']).where('id', 'in', ids).execute();
    return new Map(rows.map((r) => [Number(r.id), r.mch_no]));
  }

  /** What `findForCall` would give, when this process has it cached; undefined when it has to be read. */
  cachedForCall(mchNo: string): Cached<MerchantForCall> | undefined {
    return MCH_NO_PATTERN.test(mchNo) ? this.forCall.peek(mchNo) : KNOWN_ABSENT;
  }

  /** The merchant a call names, with its ISV's switch; undefined when unknown. Cached. */
  findForCall(mchNo: string): Promise<MerchantForCall | undefined> {
    if (!MCH_NO_PATTERN.test(mchNo)) return Promise.resolve(undefined);
    return this.forCall.get(mchNo, async () => {
      const row = await this.merchants().where('jucai_merchants.mch_no', '=', mchNo).executeTakeFirst();
      return row ? { ...merchantFromRow(row), isvEnabled: row.isv_enabled === 1 } : undefined;
    });
  }

  async updateMerchant(
    mchNo: string,
    changes: { name?: string; enabled?: boolean; ratePerSecond?: number | null; appRatePerSecond?: number | null },
  ): Promise<Merchant> {
    if (changes.name !== undefined) checkText('name', changes.name, 100);
    checkRates(changes);
    const res = await this.db
      .updateTable('jucai_merchants')
      .set({
        ...(changes.name !== undefined ? { name: changes.name } : {}),
        ...(changes.enabled !== undefined ? { enabled: changes.enabled ? 1 : 0 } : {}),
        ...(changes.ratePerSecond !== undefined ? { rate_per_second: changes.ratePerSecond } : {}),
        ...(changes.appRatePerSecond !== undefined ? { app_rate_per_second: changes.appRatePerSecond } : {}),
        updated_at: this.clock.now(),
      })
      .where('mch_no', '=', mchNo)
      .executeTakeFirst();
    this.forCall.delete(mchNo);
    if (Number(res.numUpdatedRows) === 0) throw new NotFound('merchant', `no merchant ${mchNo}`);
    return this.getMerchant(mchNo);
  }
}
