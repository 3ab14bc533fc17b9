/**
 * Inputs that make every SMS simulator misbehave on purpose, so each provider failure is
 * reachable by a documented input (see the README's sandbox section).
 */
export const SANDBOX_MOBILES = {
    /** The provider refuses the message (aliyun isv.BUSINESS_LIMIT_CONTROL, tencent LimitExceeded.PhoneNumberDailyLimit, sandbox REJECTED, webhook HTTP 429). */
    refused: '13900000001',
    /** The provider does not answer within the adapter's timeout. */
    timeout: '13900000002',
    /** The provider answers HTTP 503. */
    down: '13900000003',
};
export const MAINLAND_MOBILE = /^1[3-9]\d{9}$/;
/** Hangs in progress, released all at once when the server closes (see `releaseHangs`). */
const pending = new Set();
/**
 * Holds a request open for longer than the adapters' timeout (`timeoutMs` + 1 s), until the
 * caller gives up and disconnects, or until the server closes, whichever is first. The late answer
 * carries `connection: close` so no keep-alive socket outlives it and delays a shutdown.
 */
export function hang(request, reply, timeoutMs) {
    reply.header('connection', 'close');
    return new Promise((resolve) => {
        const socket = request.raw.socket;
        const done = () => {
            clearTimeout(timer);
            socket.off('close', done);
            reply.raw.off('close', done);
            pending.delete(done);
            resolve();
        };
        const timer = setTimeout(done, timeoutMs + 1000);
        socket.once('close', done);
        reply.raw.once('close', done);
        pending.add(done);
    });
}
/** Ends every hang now (a `preClose` hook of the sandbox plugin). */
export function releaseHangs() {
    for (const done of [...pending])
        done();
}
/** A request id in the style of the upstream (uppercase UUID for Alibaba, lowercase for Tencent). */
export function requestId() {
    return crypto.randomUUID();
}
