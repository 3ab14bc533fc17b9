import type { Kysely } from 'kysely';
import type { Clock } from '../kernel/clock.ts';
import type { Database } from '../store/schema.ts';

export interface InboxMessage {
  id: number;
  at: number;
  /** The official account that sent it. */
  appid: string;
  touser: string;
  templateId: string;
  url: string | null;
  data: Record<string, { value: string }>;
  msgid: string;
}

/** The sandbox's inbox of template messages: what the simulated WeChat "delivered", newest first. */
export class SandboxTemplateInbox {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  async add(m: Omit<InboxMessage, 'id' | 'at'>): Promise<void> {
    await this.db
      .insertInto('sandbox_template_messages')
      .values({
        at: this.clock.now(),
        appid: m.appid,
        touser: m.touser,
        template_id: m.templateId,
        url: m.url,
        data: JSON.stringify(m.data),
        msgid: m.msgid,
      })
      .execute();
  }

  async list(filter: { touser?: string; limit?: number } = {}): Promise<InboxMessage[]> {
    let q = this.db.selectFrom('sandbox_template_messages').selectAll();
    if (filter.touser !== undefined) q = q.where('touser', '=', filter.touser);
    const rows = await q
      .orderBy('id', 'desc')
      .limit(filter.limit ?? 50)
      .execute();
    return rows.map((r) => ({
      id: Number(r.id),
      at: Number(r.at),
      appid: r.appid,
      touser: r.touser,
      templateId: r.template_id,
      url: r.url,
      data: JSON.parse(r.data) as InboxMessage['data'],
      msgid: r.msgid,
    }));
  }

  async clear(): Promise<number> {
    const res = await this.db.deleteFrom('sandbox_template_messages').executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
