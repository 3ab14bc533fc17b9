import type { Kysely } from 'kysely';
import type { Clock } from '../kernel/clock.ts';
import type { Database } from '../store/schema.ts';

export interface OutboxMessage {
  id: number;
  at: number;
  provider: string;
  mobile: string;
  text: string;
  code: string | null;
  template: string | null;
}

/** The sandbox SMS outbox: what the simulators "sent", newest first. */
export class SandboxOutbox {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  async add(m: Omit<OutboxMessage, 'id' | 'at'>): Promise<void> {
    await this.db
      .insertInto('sandbox_sms_outbox')
      .values({ at: this.clock.now(), provider: m.provider, mobile: m.mobile, text: m.text, code: m.code, template: m.template })
      .execute();
  }

  async list(filter: { mobile?: string; limit?: number } = {}): Promise<OutboxMessage[]> {
    let q = this.db.selectFrom('sandbox_sms_outbox').selectAll();
    if (filter.mobile !== undefined) q = q.where('mobile', '=', filter.mobile);
    const rows = await q
      .orderBy('id', 'desc')
      .limit(filter.limit ?? 50)
      .execute();
    // PostgreSQL returns bigint columns as text.
    return rows.map((r) => ({ ...r, id: Number(r.id), at: Number(r.at) }));
  }

  async clear(): Promise<number> {
    const res = await this.db.deleteFrom('sandbox_sms_outbox').executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
