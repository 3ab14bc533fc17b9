import { DomainError, UpstreamUnavailable } from '../core/errors.js';
/** Connection-phase errors: the request never reached the server. */
const CONNECT_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);
/** `scheme://host/path` of a URL: query strings may hold secrets, so they never reach a message. */
export function safeUrl(raw) {
    try {
        const u = new URL(raw);
        return `${u.protocol}//${u.host}${u.pathname}`;
    }
    catch {
        return '(unparseable URL)';
    }
}
function errorCode(err) {
    const cause = err?.cause;
    const code = cause?.code ?? err?.code;
    return typeof code === 'string' ? code : undefined;
}
function isTimeout(err) {
    const name = err?.name;
    return name === 'TimeoutError' || name === 'AbortError';
}
/**
 * Sends the request and hands the answered response (any status below 500, body read) to
 * `handle`, which returns the result or throws `UpstreamRejected`/`UpstreamUnavailable`.
 */
export async function callUpstream(options, req, handle) {
    const doFetch = options.fetch ?? fetch;
    const where = `${req.method ?? 'GET'} ${safeUrl(req.url)}`;
    const started = performance.now();
    const signal = AbortSignal.timeout(options.timeoutMs);
    let outcome = 'unavailable';
    try {
        let res;
        for (let attempt = 1; res === undefined; attempt++) {
            try {
                const r = await doFetch(req.url, {
                    method: req.method ?? 'GET',
                    ...(req.headers ? { headers: req.headers } : {}),
                    ...(req.body !== undefined ? { body: req.body } : {}),
                    signal,
                    redirect: 'error',
                });
                res = { status: r.status, headers: r.headers, text: await r.text() };
            }
            catch (err) {
                if (isTimeout(err) || signal.aborted) {
                    throw new UpstreamUnavailable(req.upstream, `${req.upstream}: no answer within ${options.timeoutMs} ms (${where})`);
                }
                const code = errorCode(err);
                if (req.readOnly && attempt === 1 && code !== undefined && CONNECT_ERRORS.has(code))
                    continue;
                throw new UpstreamUnavailable(req.upstream, `${req.upstream}: cannot reach ${where}: ${code ?? 'connection failed'}`);
            }
        }
        if (res.status >= 500) {
            throw new UpstreamUnavailable(req.upstream, `${req.upstream}: HTTP ${res.status} from ${where}`, res.status);
        }
        const result = await handle(res);
        outcome = 'ok';
        return result;
    }
    catch (err) {
        outcome = err instanceof DomainError && err.kind === 'UpstreamRejected' ? 'rejected' : 'unavailable';
        if (err instanceof DomainError)
            throw err;
        // A bug in a handler must not leak a raw error (it could quote a body); say what failed.
        throw new UpstreamUnavailable(req.upstream, `${req.upstream}: could not handle the answer of ${where}`);
    }
    finally {
        options.metrics?.upstreamCalls.inc({ upstream: req.upstream, outcome });
        options.metrics?.upstreamLatency.observe({ upstream: req.upstream }, (performance.now() - started) / 1000);
    }
}
/** Parses a JSON object body; anything else is an unusable answer. */
export function jsonObject(res, upstream) {
    let value;
    try {
        value = JSON.parse(res.text);
    }
    catch {
        throw new UpstreamUnavailable(upstream, `${upstream}: the answer (HTTP ${res.status}) is not JSON`, res.status);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new UpstreamUnavailable(upstream, `${upstream}: the answer (HTTP ${res.status}) is not a JSON object`, res.status);
    }
    return value;
}
/** A short, single-line excerpt of an upstream body for an error message. */
export function excerpt(text, max = 200) {
    const flat = text.replace(/\s+/g, ' ').trim();
    return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
