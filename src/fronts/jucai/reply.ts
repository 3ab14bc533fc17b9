import { randomString } from '../../kernel/random.ts';
import { jucai } from './signing.ts';
import type { ReplyCode, ReturnCode } from './codes.ts';

/** `data` of a processed request, in the seed's field order. */
export interface ReplyData extends ReturnCode {
  termId: string;
  randomStr: string;
  orgId: string;
  mchNo: string;
  mchOrderNo: string;
  appid: string;
  openid: string;
  subAppid: string;
  subOpenid: string;
}

export interface Reply {
  code: number;
  msg: string;
  data: ReplyData | null;
  sign?: string;
}

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
 * request is signed. Only a caller that proved it holds the secret (its request's signature
 * verified) gets a signed reply: a reply signed for anyone who names an app would hand out
 * digests to guess a weak secret from offline.
 */
export function reply(code: ReplyCode, data: ReplyData | null, secret: string | undefined): Reply {
  const out: Reply = { code: code.code, msg: code.msg, data };
  if (secret !== undefined) out.sign = jucai.sign({ ...(data ?? {}) }, secret);
  return out;
}
