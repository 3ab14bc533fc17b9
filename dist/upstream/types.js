/**
 * What the core asks of each upstream service. Adapters speak the real wire protocol; in sandbox
 * mode only their base URL changes (to this server's `/sandbox/*`). Every adapter throws
 * `UpstreamRejected` (the service answered no, with its own code and message) or
 * `UpstreamUnavailable` (timeout, connection failure, 5xx, unreadable body).
 */
export {};
