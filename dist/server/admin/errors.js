/** The admin API's one table from domain errors to HTTP statuses. */
export function adminErrorStatus(err) {
    switch (err.kind) {
        case 'InvalidInput':
            return 400;
        case 'NotFound':
            return 404;
        case 'Conflict':
            return 409;
        case 'Forbidden':
        case 'Disabled':
            return 403;
        case 'RateLimited':
            return 429;
        case 'UpstreamUnavailable':
        case 'UpstreamRejected':
            return 502;
        default:
            return 400;
    }
}
