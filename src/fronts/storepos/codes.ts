import type { ErrorTable } from '../kit/wire.ts';
import type { StoreposState } from './wire.ts';
import { DomainError, UpstreamRejected, UpstreamUnavailable, type ErrorKind, type RejectReason } from '../../kernel/errors.ts';

/** The seed's codes and kaifang's 10008. */
export const CODE = {
  OK: '10000',
  SIGN: '10002',
  PARAM: '10004',
  AGENT: '10005',
  SYSTEM: '10006',
  FREQUENCY: '10008',
} as const;

/** What storepos answers for a refused or failed call: the reply's `state`, `code` and `msg`. */
export type Failure = {
  state: StoreposState;
  code: string;
  msg: string;
};

/**
 * The caller's `version` is below the deployment's minimum: the protocol's own `VER` state, a
 * refusal only this front has (not a domain error).
 */
export class VersionTooLow extends Error {}

/**
 * The one table from domain errors to storepos `(state, code)`, complete by type. Request-level
 * refusals (parameters, signature, agent, our own limits) are FAIL.
 */
const REFUSALS: Record<ErrorKind, Omit<Failure, 'msg'>> = {
  InvalidInput: { state: 'FAIL', code: CODE.PARAM },
  InvalidSignature: { state: 'FAIL', code: CODE.SIGN },
  NotFound: { state: 'FAIL', code: CODE.AGENT },
  Disabled: { state: 'FAIL', code: CODE.AGENT },
  Expired: { state: 'FAIL', code: CODE.AGENT },
  Forbidden: { state: 'FAIL', code: CODE.AGENT },
  RateLimited: { state: 'FAIL', code: CODE.FREQUENCY },
  Replayed: { state: 'FAIL', code: CODE.PARAM },
  Conflict: { state: 'FAIL', code: CODE.PARAM },
  // Processed, but the upstream failed: SUCCESS with the failure code (see `upstreamFailure`).
  UpstreamRejected: { state: 'SUCCESS', code: CODE.SYSTEM },
  UpstreamUnavailable: { state: 'SUCCESS', code: CODE.SYSTEM },
};

/**
 * WeChat refusals by reason: a code that is no good (invalid, used, risky user) is the caller's
 * business input, SUCCESS 10004; WeChat's frequency limit is 10008; anything else (busy, the
 * platform's appid or secret refused, …) is the platform's problem, SUCCESS 10006.
 */
const WECHAT_REASONS: Partial<Record<RejectReason, string>> = {
  'invalid-code': CODE.PARAM,
  'used-code': CODE.PARAM,
  'expired-code': CODE.PARAM,
  'user-blocked': CODE.PARAM,
  'rate-limited': CODE.FREQUENCY,
};

function upstreamFailure(err: UpstreamRejected | UpstreamUnavailable): Failure {
  const wechat = err.upstream === 'wechat';
  if (err instanceof UpstreamRejected) {
    if (!wechat) return { state: 'SUCCESS', code: CODE.SYSTEM, msg: `短信服务商拒绝发送: ${err.code} ${err.upstreamMessage}` };
    return {
      state: 'SUCCESS',
      code: WECHAT_REASONS[err.reason] ?? CODE.SYSTEM,
      msg: `微信返回 errcode=${err.code} errmsg=${err.upstreamMessage}`,
    };
  }
  // The adapter's own message names internal hosts: it goes to the log, not to the agent.
  return { state: 'SUCCESS', code: CODE.SYSTEM, msg: `系统繁忙: ${wechat ? '微信' : '短信服务商'}暂时不可用, 请稍后重试` };
}

/**
 * The storepos answer to an error, or undefined for one that is not a domain error or a version
 * refusal (the caller logs it: FAIL 10006).
 */
export const failureOf: ErrorTable<Failure> = (err) => {
  if (err instanceof VersionTooLow) return { state: 'VER', code: CODE.PARAM, msg: err.message };
  if (!(err instanceof DomainError)) return undefined;
  if (err instanceof UpstreamRejected || err instanceof UpstreamUnavailable) return upstreamFailure(err);
  return { ...REFUSALS[err.kind], msg: err.message };
};
