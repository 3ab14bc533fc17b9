import { randomString } from '../../kernel/random.ts';
import { jucai } from './signing.ts';
import type { ReplyCode } from './codes.ts';
import type { JucaiReply, JucaiReplyData } from './wire.ts';

/** `data` of a processed request (wire.ts), in the seed's field order. */
export type ReplyData = JucaiReplyData;
export type Reply = JucaiReply;

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export function replyData(fields: Omit<ReplyData, 'randomStr'>): ReplyData {
  const { returnCode, returnMsg, ...rest } = fields;
  return {
    returnCode,
    returnMsg,
    termId: rest.termId,
    randomStr: randomString(32, UPPER_ALNUM),
    orgId: rest.orgId,
    mchNo: rest.mchNo,
    mchOrderNo: rest.mchOrderNo,
    appid: rest.appid,
    openid: rest.openid,
    subAppid: rest.subAppid,
    subOpenid: rest.subOpenid,
  };
}

/**
 * `{code, msg, data, sign}`: `sign` over the non-empty fields of `data` with the app secret, as a
 * request is signed, exactly when there is `data` — what the Jeepay SDK's `checkSign` reads: no
 * `data` and no `sign`, or a `sign` over `data` (a sign beside `data: null` would be the digest of
 * `key=<secret>` alone, the same on every such reply, and the SDK throws on it). `data` is only
 * made for a caller that proved it holds the secret (its request's signature verified): a reply
 * signed for anyone who names an app would hand out digests to guess a weak secret from offline.
 */
export function reply(code: ReplyCode, data: ReplyData | null, secret: string | undefined): Reply {
  if (data === null || secret === undefined) return { code: code.code, msg: code.msg, data: null };
  return { code: code.code, msg: code.msg, data, sign: jucai.sign({ ...data }, secret) };
}
