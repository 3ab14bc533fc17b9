/**
 * Typed domain errors. Core services throw these; each front maps them, through one table of its
 * own, to its wire codes. Messages are written for the developer calling the API and never contain
 * a secret.
 */
export abstract class DomainError extends Error {
  abstract readonly kind: string;
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

/** The upstream answered and said no. `code`/`upstreamMessage` are the upstream's own. */
export class UpstreamRejected extends DomainError {
  readonly kind = 'UpstreamRejected';
  constructor(
    readonly upstream: string,
    readonly code: string,
    readonly upstreamMessage: string,
    message = `${upstream} rejected the call: ${code} ${upstreamMessage}`,
  ) {
    super(message);
  }
}

/** The upstream could not be reached, timed out, or answered with something unusable. */
export class UpstreamUnavailable extends DomainError {
  readonly kind = 'UpstreamUnavailable';
  constructor(
    readonly upstream: string,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}
