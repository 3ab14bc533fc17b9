import type { ErrorTable } from '../kit/wire.ts';
import { DomainError, type ErrorKind } from '../../kernel/errors.ts';

/**
 * The 微厅 endpoints answer in the seed's shapes, each its own (weiting.md), so the one table maps a
 * domain error to what kind of failure it is; each endpoint writes that kind in its shape.
 */
export type Failure =
  /** A parameter missing or malformed: the endpoint's error shape, naming it. */
  | 'input'
  /** Wrong appid/secret, or a disabled app (token endpoint). */
  | 'credentials'
  /** An Idempotency-Key already used for a different request (another notice, another order): 409, nothing done. */
  | 'conflict'
  /** Over a limit (tokens per day; notices per openid per day). */
  | 'limit'
  /** A code, ticket or login that is unknown, used or past its time. */
  | 'expired'
  /** WeChat (or another upstream) said no. */
  | 'refused'
  /** An upstream could not be reached, or something the operator must configure is missing. */
  | 'unavailable';

const FAILURES: Record<ErrorKind, Failure> = {
  InvalidInput: 'input',
  InvalidSignature: 'credentials',
  Disabled: 'credentials',
  Forbidden: 'credentials',
  NotFound: 'credentials',
  Expired: 'expired',
  Replayed: 'input',
  Conflict: 'conflict',
  RateLimited: 'limit',
  UpstreamRejected: 'refused',
  UpstreamUnavailable: 'unavailable',
};

/** The kind of failure of a domain error; undefined for a failure kaifang did not expect (logged, 40005). */
export const failureOf: ErrorTable<Failure> = (err) => {
  if (!(err instanceof DomainError)) return undefined;
  // A missing official account or login state is the platform's setup or the link's age, not the caller's credentials.
  if (err.kind === 'NotFound' && 'what' in err && (err as { what: string }).what === 'officialAccount') return 'unavailable';
  if (err.kind === 'NotFound' && 'what' in err && (err as { what: string }).what === 'loginState') return 'expired';
  return FAILURES[err.kind];
};

/** The universal answer of every endpoint but the token's for a missing, unknown, expired or disabled token (the seed's). */
export const TOKEN_REFUSED = { status: 0, errMsg: 'access_token校验异常' } as const;
/** An Idempotency-Key reused with a different request: kaifang's own status, 409 as 巨彩's code table has it. */
export const KEY_REUSED = 'Idempotency-Key 已用于另一个不同的请求';
/** An internal failure, in the seed's words. */
export const INTERFACE_ERROR = { status: 40005, errMsg: '接口异常，请稍后再试' } as const;
