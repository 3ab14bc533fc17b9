import { hexDigest } from '../../kernel/digest.ts';
import { randomString } from '../../kernel/random.ts';
import { jucai } from './signing.ts';
import type { ReplyCode } from './codes.ts';
import type { JucaiReply, JucaiReplyData } from './wire.ts';

/** `data` of a processed request (wire.ts), in the seed's field order. */
export type ReplyData = JucaiReplyData;
export type Reply = JucaiReply;

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** The fields of `data`, in the seed's order (the order JSON.stringify writes them in). */
const REPLY_FIELDS = [
  'returnCode',
  'returnMsg',
  'termId',
  'randomStr',
  'orgId',
  'mchNo',
  'mchOrderNo',
  'appid',
  'openid',
  'subAppid',
  'subOpenid',
] as const satisfies readonly (keyof ReplyData)[];

/** `jucai.stringToSign` of a reply's `data`, its field order settled once. */
const replyStringToSign = jucai.orderedFor(REPLY_FIELDS);

/** `data` in the seed's field order, with a fresh `randomStr`: `order` is the request's, `orgId` its merchant's ISV number. */
export function replyData(
  outcome: Pick<ReplyData, 'returnCode' | 'returnMsg'>,
  order: Pick<ReplyData, 'termId' | 'mchNo' | 'mchOrderNo'>,
  orgId: string,
  payer: Pick<ReplyData, 'appid' | 'openid' | 'subAppid' | 'subOpenid'>,
): ReplyData {
  return {
    returnCode: outcome.returnCode,
    returnMsg: outcome.returnMsg,
    termId: order.termId,
    randomStr: randomString(32, UPPER_ALNUM),
    orgId,
    mchNo: order.mchNo,
    mchOrderNo: order.mchOrderNo,
    appid: payer.appid,
    openid: payer.openid,
    subAppid: payer.subAppid,
    subOpenid: payer.subOpenid,
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
  return { code: code.code, msg: code.msg, data, sign: hexDigest('md5', replyStringToSign(data, secret)) };
}
