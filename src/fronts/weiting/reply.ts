import type { FastifyReply } from 'fastify';
import type { CallResult } from '../../core/callLog.ts';
import { formatCompact, formatDateTime } from '../../kernel/cst.ts';
import type { TicketFailure } from './domain/tickets.ts';
import type { WeitingUser } from './domain/users.ts';
import type { TicketDiagnostic, UserInfoReply, WeitingUserInfo } from './wire.ts';

/** A reply body and the outcome the metrics and call log record; `text` when the body is already JSON text. */
export interface Answer {
  body: unknown;
  outcome: string;
  text?: string;
  /** Set when the answer is a refusal or failure that was answered rather than thrown. */
  result?: CallResult;
}

/** `answer`, marked as a refusal (or a failure) the handler answered without throwing. */
export const marked = (answer: Answer, result: CallResult): Answer => ({ ...answer, result });

/** A JSON answer, its outcome the seed's own status field (`status`, `errcode` or `flag`) unless given. */
export const json = (
  body: Record<string, unknown>,
  outcome: string | number = String(body.status ?? body.errcode ?? body.flag ?? ''),
): Answer => ({
  body,
  outcome: String(outcome),
});

/** Every 微厅 answer is JSON with HTTP 200 but the HTTP layer's refusals (refuse.ts) and wxcode's pages. */
export function send(reply: FastifyReply, answer: Answer): FastifyReply {
  return reply
    .code(200)
    .header('content-type', 'application/json; charset=utf-8')
    .send(answer.text ?? JSON.stringify(answer.body));
}

/**
 * The JSON text of a user's `user/info` reply, kept beside the core's cached user object: the
 * hot read is served from the cache, and rendering the same user again (ten China-time strings and
 * a stringify) was most of what was left of its cost. A changed user is a new object, so a new text.
 */
const renderedUsers = new WeakMap<WeitingUser, string>();
export function userInfoText(user: WeitingUser): string {
  let text = renderedUsers.get(user);
  if (text === undefined) {
    text = JSON.stringify({ result: presentUser(user), flag: 0 } satisfies UserInfoReply);
    renderedUsers.set(user, text);
  }
  return text;
}

/** The seed's `user/info` result. */
function presentUser(user: WeitingUser): WeitingUserInfo {
  return {
    _id: user.publicId,
    openid: user.openid,
    nickname: user.nickname,
    headimg: user.headimg,
    __v: 0,
    updateAt: new Date(user.updatedAt).toISOString(),
    createAt: new Date(user.createdAt).toISOString(),
    accounts: user.accounts.map((a) => ({
      deviceno: a.deviceno,
      devicename: a.devicename,
      bindtime: formatDateTime(a.boundAt),
      bindtdate: formatDateTime(a.boundAt),
      bpn: a.bpn,
      sort: a.sort,
    })),
  };
}

/** The seed's nested diagnostic of a ticket that gave no number (`CAPRoot…RspDesc` says why). */
export function ticketDiagnostic(failure: TicketFailure, now: number, requestId: string): TicketDiagnostic {
  const why: Record<TicketFailure, [string, string]> = {
    unknown: ['1992', '根据ticket查询网站注册用户信息为空!'],
    used: ['1993', 'ticket已使用'],
    expired: ['1994', 'ticket已过期'],
  };
  const [code, desc] = why[failure];
  return {
    CAPRoot: {
      SessionHeader: [
        {
          TransactionID: [requestId.replace(/-/g, '').slice(0, 25)],
          ActionCode: ['1'],
          RspTime: [formatCompact(now)],
          Response: [{ RspType: ['1'], RspCode: [code], RspDesc: [desc] }],
        },
      ],
    },
  };
}
