import type { ErrorTable } from '../kit/wire.ts';
import { DomainError, NotFound, UpstreamRejected, UpstreamUnavailable, type ErrorKind, type RejectReason } from '../../kernel/errors.ts';
import type { JucaiReplyCode } from './wire.ts';

/** A reply's `code` and `msg` (jucai.md, "The reply code table"). */
export interface ReplyCode {
  code: JucaiReplyCode;
  msg: string;
}

/** A processed request's `data.returnCode` and `returnMsg`. */
export interface ReturnCode {
  returnCode: string;
  returnMsg: string;
}

export const SUCCESS: ReturnCode = { returnCode: '000000', returnMsg: 'SUCCESS' };
export const CHANNEL_NOT_CONFIGURED: ReturnCode = { returnCode: 'CHANNEL_NOT_CONFIGURED', returnMsg: '商户未配置该支付方式' };

/** The one table from domain errors to reply codes, complete by type; the detail follows the fixed text. */
const CODES: Record<ErrorKind, ReplyCode> = {
  InvalidInput: { code: 400, msg: '参数错误' },
  InvalidSignature: { code: 401, msg: '签名错误' },
  Disabled: { code: 403, msg: '商户或应用已停用' },
  Expired: { code: 403, msg: '商户或应用已停用' },
  Forbidden: { code: 403, msg: '商户或应用已停用' },
  NotFound: { code: 404, msg: '商户或应用不存在' },
  Conflict: { code: 409, msg: '商户订单号重复' },
  Replayed: { code: 409, msg: '商户订单号重复' },
  RateLimited: { code: 429, msg: '请求过于频繁' },
  UpstreamUnavailable: { code: 502, msg: '通道异常' },
  // Processed: the channel refused the code. 200, with the reason in data.returnCode (below).
  UpstreamRejected: { code: 200, msg: '成功' },
};

/** A channel's refusal by reason; anything not about the code itself is the channel's failure. */
const RETURN_CODES: Partial<Record<RejectReason, ReturnCode>> = {
  'invalid-code': { returnCode: 'AUTHCODE_INVALID', returnMsg: '码无效' },
  'used-code': { returnCode: 'AUTHCODE_INVALID', returnMsg: '码无效' },
  'expired-code': { returnCode: 'AUTHCODE_EXPIRE', returnMsg: '码已过期' },
  busy: { returnCode: 'SYSTEM_ERROR', returnMsg: '渠道系统错误' },
};

/** The answer to an error: a reply code, and for a processed request its return code. */
export type Failure = { reply: ReplyCode; returnCode?: ReturnCode; detail: string };

/** How a caller is told which channel failed: by its name, never its URL (the log keeps that). */
const CHANNELS: Record<string, string> = {
  wechatpay: 'the WECHAT channel (WeChat Pay)',
  'unionpay-bridge': 'the UNIONPAY channel (the acquirer bridge)',
};

/** A channel failure in the caller's words: which channel, and what went wrong, from the adapter's classification. */
function channelTrouble(err: UpstreamUnavailable): string {
  const channel = CHANNELS[err.upstream] ?? 'the channel';
  switch (err.reason) {
    case 'timeout':
      return `${channel} did not answer in time`;
    case 'unreachable':
      return `${channel} could not be reached`;
    case 'http-status':
      return `${channel} answered HTTP ${err.status ?? 'error'}`;
    case 'too-large':
      return `${channel} answered more than kaifang reads`;
    case 'in-progress':
      return 'the first request for this order is still waiting for its channel: send it again';
    default:
      return `${channel} answered something unusable (unreadable, incomplete, or not signed with the channel's key)`;
  }
}

export const failureOf: ErrorTable<Failure> = (err) => {
  if (!(err instanceof DomainError)) return undefined;
  if (err instanceof NotFound && err.what === 'channel')
    return { reply: { code: 200, msg: '成功' }, returnCode: CHANNEL_NOT_CONFIGURED, detail: err.message };
  if (err instanceof UpstreamRejected) {
    const returnCode = RETURN_CODES[err.reason] ?? {
      returnCode: 'CHANNEL_ERROR',
      returnMsg: `渠道返回失败: ${err.code} ${err.upstreamMessage}`.trim(),
    };
    return { reply: CODES.UpstreamRejected, returnCode, detail: err.message };
  }
  if (err instanceof UpstreamUnavailable) return { reply: CODES.UpstreamUnavailable, detail: channelTrouble(err) };
  return { reply: CODES[err.kind], detail: err.message };
};
