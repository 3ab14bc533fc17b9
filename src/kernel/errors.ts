/**
 * Typed domain errors. Core services throw these; each front maps them, through one table of its
 * own, to its wire codes. The kinds are a closed set, so a front's table typed as
 * `Record<ErrorKind, …>` fails to compile when it misses one. Messages are written for the
 * developer calling the API and never contain a secret.
 */
export type ErrorKind =
  | 'InvalidInput'
  | 'InvalidSignature'
  | 'Expired'
  | 'Replayed'
  | 'RateLimited'
  | 'NotFound'
  | 'Disabled'
  | 'Forbidden'
  | 'Conflict'
  | 'UpstreamRejected'
  | 'UpstreamUnavailable';

export abstract class DomainError extends Error {
  abstract readonly kind: ErrorKind;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A parameter is missing, empty or malformed. `param` names it. */
export class InvalidInput extends DomainError {
  readonly kind = 'InvalidInput';
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(message);
  }
}

export class InvalidSignature extends DomainError {
  readonly kind = 'InvalidSignature';
}

/** A credential or a one-time thing is past its validity. */
export class Expired extends DomainError {
  readonly kind = 'Expired';
}

export class Replayed extends DomainError {
  readonly kind = 'Replayed';
}

export class RateLimited extends DomainError {
  readonly kind = 'RateLimited';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

export class NotFound extends DomainError {
  readonly kind = 'NotFound';
  constructor(
    /** What was looked for, in the domain's words ('developerKey', 'method', 'agent', …). */
    readonly what: string,
    message: string,
  ) {
    super(message);
  }
}

/** The credential exists but is switched off. */
export class Disabled extends DomainError {
  readonly kind = 'Disabled';
}

/** The caller is known but not allowed this operation. */
export class Forbidden extends DomainError {
  readonly kind = 'Forbidden';
}

/** A write would contradict existing data (duplicate key, order number reused, …). */
export class Conflict extends DomainError {
  readonly kind = 'Conflict';
}

/**
 * Why an upstream said no, classified once by the adapter that speaks its protocol, so that each
 * front maps reasons rather than one upstream's raw numbers.
 */
export type RejectReason =
  /** The one-time code (js_code, OAuth code, payment code) is not one the upstream issued. */
  | 'invalid-code'
  /** The code was already used. */
  | 'used-code'
  /** The code was valid once but its time is up. */
  | 'expired-code'
  /** The upstream's own frequency or daily limit. */
  | 'rate-limited'
  /** The upstream refuses this user (risk control, blocked). */
  | 'user-blocked'
  /** The upstream says it is busy or had a system error; the same call may work later. */
  | 'busy'
  /** The platform's own credentials (appid, secret, key, merchant) were refused. */
  | 'bad-credentials'
  /** The upstream's access token was invalid or expired: refresh it and retry once. */
  | 'token-invalid'
  /** The recipient cannot be reached this way (not subscribed, bad openid, bad number). */
  | 'bad-recipient'
  /** Something the operator configured (a template, a sign name) was refused. */
  | 'bad-configuration'
  /** Anything else; the upstream's code and message say more. */
  | 'other';

/** The upstream answered and said no. `code`/`upstreamMessage` are the upstream's own. */
export class UpstreamRejected extends DomainError {
  readonly kind = 'UpstreamRejected';
  constructor(
    readonly upstream: string,
    readonly code: string,
    readonly upstreamMessage: string,
    readonly reason: RejectReason = 'other',
    message = `${upstream} rejected the call: ${code} ${upstreamMessage}`,
  ) {
    super(message);
  }
}

/** Why an upstream could not be used; fronts word their own message from it. */
export type UnavailableReason =
  | 'timeout'
  | 'unreachable'
  | 'http-status'
  | 'unreadable'
  | 'too-large'
  /** The first request with the same idempotency key has not finished. */
  | 'in-progress';

/**
 * The upstream could not be reached, timed out, or answered with something unusable. The message
 * is for the log (it names the host and path); `reason` is what a caller may be told.
 */
export class UpstreamUnavailable extends DomainError {
  readonly kind = 'UpstreamUnavailable';
  constructor(
    readonly upstream: string,
    message: string,
    readonly status?: number,
    readonly reason: UnavailableReason = 'unreadable',
  ) {
    super(message);
  }
}
