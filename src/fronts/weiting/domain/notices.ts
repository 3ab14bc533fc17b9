import type { Kysely } from 'kysely';
import type { Database } from '../../../store/schema.ts';
import type { StateStore } from '../../../state/state.ts';
import type { Clock } from '../../../kernel/clock.ts';
import { formatDay, msUntilNextDay } from '../../../kernel/cst.ts';
import { type DomainError, NotFound, UpstreamRejected, UpstreamUnavailable } from '../../../kernel/errors.ts';
import type { Idempotency } from '../../../core/idempotency.ts';
import type { OfficialAccounts, OfficialAccountWithSecret, TokenSource } from '../../../core/wechat/officialAccounts.ts';
import type { WeitingApp } from './apps.ts';
import { requestFingerprint } from './fingerprint.ts';
import { containsAny, searchText } from '../../../core/search.ts';
import type { RecordFilter } from './reports.ts';

/** The fields of a prize notice (the seed's `sendPrizeNotice`). */
export interface PrizeNotice {
  openid: string;
  first: string;
  activity: string;
  prize: string;
  remark: string;
  url?: string;
}

/**
 * What became of a notice: sent (WeChat's msgid), refused by WeChat because of the user (not
 * subscribed, a bad openid), or over the day's limit. A failure of the platform's own side — WeChat
 * unreachable, the official account's credentials, permissions, quota or template refused — is
 * thrown (the partner is told 推送接口异常, the operator must act).
 */
export type NoticeOutcome = { outcome: 'sent'; msgid: string } | { outcome: 'refused' | 'limited'; reason: string };

export interface NoticeRecord {
  id: number;
  appid: string;
  openid: string;
  fields: PrizeNotice;
  outcome: 'sent' | 'refused' | 'unavailable' | 'limited';
  msgid: string | null;
  reason: string | null;
  createdAt: number;
}

/**
 * Prize notices as template messages of the official account. Every notice is recorded (app,
 * openid, fields, outcome, msgid, reason). An app may send an openid at most `perOpenidPerDay`
 * notices per China day (counted across processes; a notice that reached WeChat keeps its count).
 * With an idempotency key, a repeat within 24 h gets the first outcome and sends nothing.
 */
export class PrizeNotices {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly state: StateStore,
    private readonly clock: Clock,
    private readonly idempotency: Idempotency,
    private readonly accounts: OfficialAccounts,
    private readonly officialAccount: () => Promise<OfficialAccountWithSecret>,
    private readonly perOpenidPerDay: number,
    private readonly tokenSource: TokenSource = 'stable',
  ) {}

  async send(app: WeitingApp, notice: PrizeNotice, idempotencyKey?: string): Promise<NoticeOutcome> {
    if (idempotencyKey === undefined) return this.deliver(app, notice);
    const { value } = await this.idempotency.run(
      `weiting:notice:${app.id}:${idempotencyKey}`,
      24 * 3600_000,
      () => this.deliver(app, notice),
      {
        // The same key with another notice (another openid, other words) is a Conflict: nothing sent, nothing recorded.
        fingerprint: requestFingerprint(notice),
        // Kept under the key only when WeChat may have sent it (no answer, or one that could not be read);
        // a refusal of the platform's side sent nothing, and the retry after the operator's fix should send.
        keepFailure: (err: DomainError) => err instanceof UpstreamUnavailable && err.reason !== 'unreachable',
      },
    );
    return value;
  }

  private async deliver(app: WeitingApp, notice: PrizeNotice): Promise<NoticeOutcome> {
    const now = this.clock.now();
    const key = `weiting:notices:${app.id}:${notice.openid}:${formatDay(now)}`;
    if ((await this.state.incrBelow(key, msUntilNextDay(now) + 60_000, this.perOpenidPerDay)) === null) {
      const reason = `at most ${this.perOpenidPerDay} notices per openid per day from one app`;
      await this.record(app, notice, 'limited', null, reason);
      return { outcome: 'limited', reason };
    }
    const account = await this.officialAccount();
    if (!account.prizeTemplateId) {
      const reason = `the official account ${account.appid} has no prize-notice template configured`;
      await this.record(app, notice, 'unavailable', null, reason);
      await this.state.decr(key);
      throw new NotFound('officialAccount', reason);
    }
    const k = account.prizeKeywords;
    const data: Record<string, { value: string }> = {
      [k.first]: { value: notice.first },
      [k.activity]: { value: notice.activity },
      [k.prize]: { value: notice.prize },
      [k.remark]: { value: notice.remark },
    };
    try {
      const message = {
        touser: notice.openid,
        template_id: account.prizeTemplateId,
        ...(notice.url ? { url: notice.url } : {}),
        data,
      };
      const { msgid } = await this.accounts.sendTemplate(account, message, this.tokenSource);
      await this.record(app, notice, 'sent', msgid, null);
      return { outcome: 'sent', msgid };
    } catch (err) {
      if (err instanceof UpstreamRejected) {
        const reason = `WeChat ${err.code} ${err.upstreamMessage}`.trim();
        // The user's side (not subscribed, an openid WeChat does not know): 发送失败. Anything else is the platform's.
        const userSide = err.reason === 'bad-recipient';
        await this.record(app, notice, userSide ? 'refused' : 'unavailable', null, reason);
        if (userSide) return { outcome: 'refused', reason };
        await this.state.decr(key); // nothing went out: the user's count for the day is given back
      } else if (err instanceof UpstreamUnavailable) {
        await this.record(app, notice, 'unavailable', null, err.reason);
        if (err.reason === 'unreachable') await this.state.decr(key);
      }
      throw err;
    }
  }

  private async record(
    app: WeitingApp,
    notice: PrizeNotice,
    outcome: NoticeRecord['outcome'],
    msgid: string | null,
    reason: string | null,
  ): Promise<void> {
    await this.db
      .insertInto('weiting_notices')
      .values({
        app_ref: app.id,
        openid: notice.openid,
        fields: JSON.stringify(notice),
        outcome,
        msgid,
        reason,
        created_at: this.clock.now(),
      })
      .execute();
  }

  /** Notices sent, newest first (admin), a page and how many match (`q`: in the openid). */
  async list(filter: RecordFilter = {}): Promise<{ items: NoticeRecord[]; total: number }> {
    let where = this.db.selectFrom('weiting_notices').innerJoin('weiting_apps', 'weiting_apps.id', 'weiting_notices.app_ref');
    if (filter.openid) where = where.where('weiting_notices.openid', '=', filter.openid);
    const text = searchText(filter.q);
    if (text) where = where.where(containsAny(['weiting_notices.openid'], text));
    const [rows, count] = await Promise.all([
      where
        .selectAll('weiting_notices')
        .select('weiting_apps.appid')
        .orderBy('weiting_notices.id', 'desc')
        .limit(filter.limit ?? 50)
        .offset(filter.offset ?? 0)
        .execute(),
      where.select((eb) => eb.fn.countAll<number | string | bigint>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return {
      items: rows.map((r) => ({
        id: Number(r.id),
        appid: r.appid,
        openid: r.openid,
        fields: JSON.parse(r.fields) as PrizeNotice,
        outcome: r.outcome,
        msgid: r.msgid,
        reason: r.reason,
        createdAt: Number(r.created_at),
      })),
      total: Number(count.n),
    };
  }
}
