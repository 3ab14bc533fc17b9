import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from '../../../store/schema.ts';
import type { WeitingBindingTable, WeitingUserTable } from '../tables.ts';
import { TtlCache, type Cached } from '../../../core/cache.ts';
import { containsAny, searchText } from '../../../core/search.ts';
import type { Clock } from '../../../kernel/clock.ts';
import { check } from '../../../kernel/validation.ts';
import { randomHex } from '../../../kernel/random.ts';
import { isUniqueViolation } from '../../../store/database.ts';

/** A device bound to a user, as the seed's `accounts` show it. */
export interface Binding {
  deviceno: string;
  devicename: string;
  bpn: string;
  sort: string;
  boundAt: number;
}

/** A user of the official account with the devices bound to them. */
export interface WeitingUser {
  /** The seed's `_id`: 24 hexadecimal digits. */
  publicId: string;
  openid: string;
  nickname: string;
  headimg: string;
  createdAt: number;
  updatedAt: number;
  accounts: Binding[];
}

/** One row of an operator's import: a user, and optionally one bound device. */
export interface ImportRow {
  openid: string;
  nickname?: string;
  headimg?: string;
  deviceno?: string;
  devicename?: string;
  bindtime?: number;
  bpn?: string;
  sort?: string;
}

export const OPENID_PATTERN = /^[A-Za-z0-9_-]{6,64}$/;
export const DEVICENO_PATTERN = /^\d{7,20}$/;

/** What a device is called when nobody said: an 11-digit number starting 1 is a mobile, else a fixed line. */
export function deviceName(deviceno: string): string {
  return /^1\d{10}$/.test(deviceno) ? '手机' : '固话';
}

/**
 * The official account's users and the telecom devices bound to them: from the login broker (a
 * user appears the first time they log in), from partners' login reports (a device is bound the
 * first time it is reported), and from the operator's import of existing data.
 */
export class WeitingUsers {
  /**
   * user/info is the platform's hot read: answered from this process's cache for at most the
   * deployment's cache bound (KAIFANG_CACHE_TTL_MS), which is also how long a binding made by
   * another process takes to show; this process's own changes drop the entry at once.
   */
  private readonly cache: TtlCache<WeitingUser>;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    cache: { size: number; ttlMs: number } = { size: 0, ttlMs: 0 },
  ) {
    this.cache = new TtlCache(cache.size, cache.ttlMs);
  }

  /** Drops the user's cached view (after a change committed in a transaction of the caller's). */
  forget(openid: string): void {
    this.cache.delete(openid);
  }

  /** What `info` would give, when this process has the user cached; undefined when it has to be read. */
  cachedInfo(openid: string): Cached<WeitingUser> | undefined {
    return this.cache.peek(openid);
  }

  info(openid: string): Promise<WeitingUser | undefined> {
    return this.cache.get(openid, () => this.load(openid));
  }

  /**
   * Users for the console's list, newest first: all, or those whose openid, nickname or a bound
   * device number contains `q`. Each with the count of its bound devices.
   */
  async search(q: string | undefined, limit: number, offset: number) {
    const query = this.matching(q).select((eb) => [
      'u.openid',
      'u.nickname',
      'u.created_at',
      'u.updated_at',
      eb.selectFrom('weiting_bindings as b').whereRef('b.user_ref', '=', 'u.id').select(eb.fn.countAll<number>().as('n')).as('devices'),
    ]);
    const rows = await query.orderBy('u.id', 'desc').limit(limit).offset(offset).execute();
    return rows.map((r) => ({
      openid: r.openid,
      nickname: r.nickname,
      devices: Number(r.devices ?? 0),
      createdAt: Number(r.created_at),
      updatedAt: Number(r.updated_at),
    }));
  }

  /** How many users `search` finds with the same `q`, all pages. */
  async count(q: string | undefined): Promise<number> {
    const row = await this.matching(q)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Users whose openid, nickname or a bound device number contains `q` (all without it); see core/search.ts. */
  private matching(q: string | undefined) {
    const query = this.db.selectFrom('weiting_users as u');
    const text = searchText(q);
    if (text === undefined) return query;
    return query.where((eb) =>
      eb.or([
        containsAny(['u.openid', 'u.nickname'], text),
        eb.exists(
          eb
            .selectFrom('weiting_bindings as d')
            .whereRef('d.user_ref', '=', 'u.id')
            .where(containsAny(['d.deviceno'], text))
            .select('d.id'),
        ),
      ]),
    );
  }

  /** The user and their bindings in one query (a user without bindings is one row of nulls on the binding side). */
  private async load(openid: string): Promise<WeitingUser | undefined> {
    const rows = await this.db
      .selectFrom('weiting_users as u')
      .leftJoin('weiting_bindings as b', 'b.user_ref', 'u.id')
      .select([
        'u.id',
        'u.public_id',
        'u.openid',
        'u.nickname',
        'u.headimg',
        'u.created_at',
        'u.updated_at',
        'b.id as binding',
        'b.deviceno',
        'b.devicename',
        'b.bpn',
        'b.sort',
        'b.bound_at',
      ])
      .where('u.openid', '=', openid)
      .orderBy('b.id')
      .execute();
    const first = rows[0];
    if (!first) return undefined;
    return {
      publicId: first.public_id,
      openid: first.openid,
      nickname: first.nickname,
      headimg: first.headimg,
      createdAt: Number(first.created_at),
      updatedAt: Number(first.updated_at),
      accounts: rows
        .filter((r) => r.binding !== null)
        .map((r) => ({ deviceno: r.deviceno!, devicename: r.devicename!, bpn: r.bpn!, sort: r.sort!, boundAt: Number(r.bound_at) })),
    };
  }

  /** The user's row id, creating the user when new (concurrent creations of one openid end with one user). */
  async ensure(openid: string, db: Kysely<Database> | Transaction<Database> = this.db): Promise<number> {
    check('openid', OPENID_PATTERN.test(openid), 'openid must be 6–64 letters, digits, _ or -');
    const existing = await db.selectFrom('weiting_users').select('id').where('openid', '=', openid).executeTakeFirst();
    if (existing) return Number(existing.id);
    const now = this.clock.now();
    try {
      const row = await db
        .insertInto('weiting_users')
        .values({ public_id: randomHex(12), openid, nickname: '', headimg: '', created_at: now, updated_at: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      this.cache.delete(openid);
      return Number(row.id);
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      const row = await db.selectFrom('weiting_users').select('id').where('openid', '=', openid).executeTakeFirstOrThrow();
      return Number(row.id);
    }
  }

  /** Binds a device to the user (made if new) unless it is bound already; true when this call bound it. */
  async bind(
    openid: string,
    device: { deviceno: string; devicename?: string; bpn?: string; sort?: string; boundAt?: number },
    db: Kysely<Database> | Transaction<Database> = this.db,
  ): Promise<boolean> {
    check('deviceno', DEVICENO_PATTERN.test(device.deviceno), 'deviceno must be 7–20 digits');
    const userRef = await this.ensure(openid, db);
    const res = await db
      .insertInto('weiting_bindings')
      .values({
        user_ref: userRef,
        deviceno: device.deviceno,
        devicename: device.devicename ?? deviceName(device.deviceno),
        bpn: device.bpn ?? '',
        sort: device.sort ?? '1',
        bound_at: device.boundAt ?? this.clock.now(),
      })
      .onConflict((oc) => oc.columns(['user_ref', 'deviceno']).doNothing())
      .executeTakeFirst();
    const bound = Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
    if (bound) {
      await db.updateTable('weiting_users').set({ updated_at: this.clock.now() }).where('id', '=', userRef).execute();
      this.cache.delete(openid);
    }
    return bound;
  }

  /**
   * One import row, in one transaction: `created` (a new user or device), `updated` (a changed
   * name, avatar or device detail), `skipped` (nothing new). A row that fails writes nothing.
   */
  async importRow(row: ImportRow): Promise<'created' | 'updated' | 'skipped'> {
    // Dropped again after the commit: a read between the change and the commit may have cached the old row.
    const result = await this.importInTransaction(row);
    this.cache.delete(row.openid);
    return result;
  }

  private importInTransaction(row: ImportRow): Promise<'created' | 'updated' | 'skipped'> {
    return this.db.transaction().execute(async (trx) => {
      const before = await trx.selectFrom('weiting_users').selectAll().where('openid', '=', row.openid).executeTakeFirst();
      let result: 'created' | 'updated' | 'skipped' = before ? 'skipped' : 'created';
      const userRef = before ? Number(before.id) : await this.ensure(row.openid, trx);
      const changes: Partial<Selectable<WeitingUserTable>> = {};
      if (row.nickname !== undefined && row.nickname !== (before?.nickname ?? '')) changes.nickname = row.nickname;
      if (row.headimg !== undefined && row.headimg !== (before?.headimg ?? '')) changes.headimg = row.headimg;
      if (Object.keys(changes).length > 0) {
        await trx
          .updateTable('weiting_users')
          .set({ ...changes, updated_at: this.clock.now() })
          .where('id', '=', userRef)
          .execute();
        if (result === 'skipped') result = 'updated';
      }
      if (row.deviceno !== undefined) {
        const existing = await trx
          .selectFrom('weiting_bindings')
          .selectAll()
          .where('user_ref', '=', userRef)
          .where('deviceno', '=', row.deviceno)
          .executeTakeFirst();
        if (!existing) {
          await this.bind(
            row.openid,
            {
              deviceno: row.deviceno,
              ...(row.devicename !== undefined ? { devicename: row.devicename } : {}),
              ...(row.bpn !== undefined ? { bpn: row.bpn } : {}),
              ...(row.sort !== undefined ? { sort: row.sort } : {}),
              ...(row.bindtime !== undefined ? { boundAt: row.bindtime } : {}),
            },
            trx,
          );
          if (result === 'skipped') result = 'updated';
        } else {
          const set: Partial<Selectable<WeitingBindingTable>> = {};
          if (row.devicename !== undefined && row.devicename !== existing.devicename) set.devicename = row.devicename;
          if (row.bpn !== undefined && row.bpn !== existing.bpn) set.bpn = row.bpn;
          if (row.sort !== undefined && row.sort !== existing.sort) set.sort = row.sort;
          if (row.bindtime !== undefined && row.bindtime !== Number(existing.bound_at)) set.bound_at = row.bindtime;
          if (Object.keys(set).length > 0) {
            await trx.updateTable('weiting_bindings').set(set).where('id', '=', existing.id).execute();
            if (result === 'skipped') result = 'updated';
          }
        }
      }
      return result;
    });
  }
}
