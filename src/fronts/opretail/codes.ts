import type { ErrorTable } from '../kit/wire.ts';
import { DomainError, NotFound, type ErrorKind } from '../../kernel/errors.ts';

/** The seed's public return codes, kaifang's `18`, and the built-in methods' business codes. */
export const CODES = {
  SUCCESS: 0,
  KEY_NOTNULL: 1,
  KEY_UNLAWFUL: 2,
  KEY_HAS_EXPIRED: 3,
  SIGN_METHOD_NOTNULL: 4,
  SIGN_TYPE_NOTEXIST: 5,
  SIGN_NOTNULL: 6,
  SIGN_WRONG: 7,
  METHOD_NOTNULL: 8,
  METHOD_NOTEXIST_CODE: 9,
  REQUESTMODE_NOTNULL: 10,
  APPLICATIONID_NOTNULL: 11,
  APPLICATIONID_NOTSAME: 12,
  VERSION_NOTNULL: 13,
  TIMESTAMP_NOTNULL: 14,
  TIMESTAMP_FORMAT_ERROR: 15,
  TIMESTAMP_OVERTIME: 16,
  FORMAT_TYPE_NOTEXIST: 17,
  CALL_LIMITED: 18,
  API_CALL_REPEAT: -100,
  API_SYSTEM_CALL_ERROR: -500,
  UNKNOWN_ERROR: -999,
  PARAM_ERROR: 102001,
  IDENTITY_INFORMATION_WRONG: 102005,
} as const;

export type Codename = keyof typeof CODES;

/**
 * A refusal the gateway itself decides (a missing or malformed system parameter, a wrong `_aid`, a
 * stale timestamp, an unreadable request), or a business refusal of a built-in method. It carries
 * its code directly because these codes are the wire protocol's own vocabulary, not a core concept.
 */
export class GatewayError extends Error {
  constructor(
    readonly codename: Codename,
    readonly result: string,
  ) {
    super(result);
  }
}

/**
 * The one table from core domain errors to gateway codes, complete by type: a new kind of domain
 * error does not compile until it has a code here. `InvalidInput` can only come from inside a
 * method (the gateway checks its own parameters with GatewayError), so it is a business parameter
 * error; `Conflict` likewise (a method refusing a duplicate): the call repeats something done.
 */
const DOMAIN: Record<ErrorKind, Codename> = {
  NotFound: 'KEY_UNLAWFUL',
  Disabled: 'KEY_UNLAWFUL',
  Expired: 'KEY_HAS_EXPIRED',
  InvalidSignature: 'SIGN_WRONG',
  Replayed: 'API_CALL_REPEAT',
  Conflict: 'API_CALL_REPEAT',
  Forbidden: 'METHOD_NOTEXIST_CODE',
  RateLimited: 'CALL_LIMITED',
  UpstreamUnavailable: 'API_SYSTEM_CALL_ERROR',
  UpstreamRejected: 'API_SYSTEM_CALL_ERROR',
  InvalidInput: 'PARAM_ERROR',
};

/** What the gateway answers for a refused or failed call. */
export interface Failure {
  codename: Codename;
  result: string;
}

/** The answer to kaifang's own failure: logged with its stack, shown to the caller without. */
export const UNEXPECTED: Failure = {
  codename: 'UNKNOWN_ERROR',
  result: 'the open platform hit an unexpected error; retry, and quote stat.cid to the operator if it persists',
};

export const failureOf: ErrorTable<Failure> = (err) => {
  if (err instanceof GatewayError) return { codename: err.codename, result: err.result };
  if (err instanceof DomainError) {
    const codename = err instanceof NotFound && err.what === 'method' ? 'METHOD_NOTEXIST_CODE' : DOMAIN[err.kind];
    return { codename, result: err.message };
  }
  return undefined;
};
