import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database, WeitingBindingTable, WeitingUserTable } from '../../store/schema.ts';
import type { Clock } from '../clock.ts';
import { check } from '../errors.ts';
import { randomHex } from '../random.ts';
import { isUniqueViolation } from '../../store/database.ts';

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

const userFromRow = (row: Selectable<WeitingUserTable>, bindings: Selectable<WeitingBindingTable>[]): WeitingUser => ({
  publicId: row.public_id,
  openid: row.openid,
  nickname: row.nickname,
  headimg: row.headimg,
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
  accounts: bindings.map((b) => ({ deviceno: b.deviceno, devicename: b.devicename, bpn: b.bpn, sort: b.sort, boundAt: Number(b.bound_at) })),
});

/**
 * The official account's users and the telecom devices bound to them: from the login broker (a
 * user appears the first time they log in), from partners' login reports (a device is bound the
 * first time it is reported), and from the operator's import of existing data.
 */
export class WeitingUsers {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  async info(openid: string): Promise<WeitingUser | undefined> {
    const row = await this.db.selectFrom('weiting_users').selectAll().where('openid', '=', openid).executeTakeFirst();
    if (!row) return undefined;
    const bindings = await this.db.selectFrom('weiting_bindings').selectAll().where('user_ref', '=', row.id).orderBy('id').execute();
    return userFromRow(row, bindings);
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
      return Number(row.id);
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      const row = await db.selectFrom('weiting_users').select('id').where('openid', '=', openid).executeTakeFirstOrThrow();
      return Number(row.id);
    }
  }

  /** Binds a device to the user (made if new) unless it is bound already; true when this call bound it. */
  async bind(openid: string, device: { deviceno: string; devicename?: string; bpn?: string; sort?: string; boundAt?: number }, db: Kysely<Database> | Transaction<Database> = this.db): Promise<boolean> {
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
    if (bound) await db.updateTable('weiting_users').set({ updated_at: this.clock.now() }).where('id', '=', userRef).execute();
    return bound;
  }

  /**
   * One import row, in one transaction: `created` (a new user or device), `updated` (a changed
   * name, avatar or device detail), `skipped` (nothing new). A row that fails writes nothing.
   */
  async importRow(row: ImportRow): Promise<'created' | 'updated' | 'skipped'> {
    return this.db.transaction().execute(async (trx) => {
      const before = await trx.selectFrom('weiting_users').selectAll().where('openid', '=', row.openid).executeTakeFirst();
      let result: 'created' | 'updated' | 'skipped' = before ? 'skipped' : 'created';
      const userRef = before ? Number(before.id) : await this.ensure(row.openid, trx);
      const changes: Partial<Selectable<WeitingUserTable>> = {};
      if (row.nickname !== undefined && row.nickname !== (before?.nickname ?? '')) changes.nickname = row.nickname;
      if (row.headimg !== undefined && row.headimg !== (before?.headimg ?? '')) changes.headimg = row.headimg;
      if (Object.keys(changes).length > 0) {
        await trx.updateTable('weiting_users').set({ ...changes, updated_at: this.clock.now() }).where('id', '=', userRef).execute();
        if (result === 'skipped') result = 'updated';
      }
      if (row.deviceno !== undefined) {
        const existing = await trx.selectFrom('weiting_bindings').selectAll().where('user_ref', '=', userRef).where('deviceno', '=', row.deviceno).executeTakeFirst();
        if (!existing) {
          await this.bind(row.openid, { deviceno: row.deviceno, ...(row.devicename !== undefined ? { devicename: row.devicename } : {}), ...(row.bpn !== undefined ? { bpn: row.bpn } : {}), ...(row.sort !== undefined ? { sort: row.sort } : {}), ...(row.bindtime !== undefined ? { boundAt: row.bindtime } : {}) }, trx);
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
