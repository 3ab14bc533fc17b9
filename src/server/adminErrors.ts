import type { DomainError, ErrorKind } from '../kernel/errors.ts';

/** The admin API's one table from domain errors to HTTP statuses, complete by type. */
const STATUS: Record<ErrorKind, number> = {
  InvalidInput: 400,
  InvalidSignature: 400,
  Replayed: 400,
  NotFound: 404,
  Conflict: 409,
  Forbidden: 403,
  Disabled: 403,
  Expired: 403,
  RateLimited: 429,
  UpstreamUnavailable: 502,
  UpstreamRejected: 502,
};

export function adminErrorStatus(err: DomainError): number {
  return STATUS[err.kind];
}
