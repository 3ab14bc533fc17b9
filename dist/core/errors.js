/**
 * Typed domain errors. Core services throw these; each front maps them, through one table of its
 * own, to its wire codes. Messages are written for the developer calling the API and never contain
 * a secret.
 */
export class DomainError extends Error {
    constructor(message) {
        super(message);
        this.name = new.target.name;
    }
}
/** A parameter is missing, empty or malformed. `param` names it. */
export class InvalidInput extends DomainError {
    param;
    kind = 'InvalidInput';
    constructor(param, message) {
        super(message);
        this.param = param;
    }
}
export class InvalidSignature extends DomainError {
    kind = 'InvalidSignature';
}
/** A credential or a one-time thing is past its validity. */
export class Expired extends DomainError {
    kind = 'Expired';
}
export class Replayed extends DomainError {
    kind = 'Replayed';
}
export class RateLimited extends DomainError {
    retryAfterSeconds;
    kind = 'RateLimited';
    constructor(message, retryAfterSeconds) {
        super(message);
        this.retryAfterSeconds = retryAfterSeconds;
    }
}
export class NotFound extends DomainError {
    what;
    kind = 'NotFound';
    constructor(what, message) {
        super(message);
        this.what = what;
    }
}
/** The credential exists but is switched off. */
export class Disabled extends DomainError {
    kind = 'Disabled';
}
/** The caller is known but not allowed this operation. */
export class Forbidden extends DomainError {
    kind = 'Forbidden';
}
/** A write would contradict existing data (duplicate key, order number reused, …). */
export class Conflict extends DomainError {
    kind = 'Conflict';
}
/** The upstream answered and said no. `code`/`upstreamMessage` are the upstream's own. */
export class UpstreamRejected extends DomainError {
    upstream;
    code;
    upstreamMessage;
    kind = 'UpstreamRejected';
    constructor(upstream, code, upstreamMessage, message = `${upstream} rejected the call: ${code} ${upstreamMessage}`) {
        super(message);
        this.upstream = upstream;
        this.code = code;
        this.upstreamMessage = upstreamMessage;
    }
}
/** The upstream could not be reached, timed out, or answered with something unusable. */
export class UpstreamUnavailable extends DomainError {
    upstream;
    status;
    kind = 'UpstreamUnavailable';
    constructor(upstream, message, status) {
        super(message);
        this.upstream = upstream;
        this.status = status;
    }
}
