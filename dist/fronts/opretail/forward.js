import { UpstreamUnavailable } from '../../core/errors.js';
const UPSTREAM = 'opretail-method';
/**
 * Runs an operator-registered method: the business parameters as a JSON POST to its service, the
 * service's JSON answer as `data`. Anything short of a 2xx JSON answer within the method's timeout
 * is the gateway's -500, with the reason (never the service's URL) in the message.
 */
export async function forward(method, call) {
    const { k, key } = call;
    const url = call.test && method.testUrl ? method.testUrl : method.url;
    const timeoutMs = method.timeoutMs ?? k.config.upstreamTimeoutMs;
    const what = `method ${method.name} ${method.version}`;
    const started = process.hrtime.bigint();
    const fail = (message, status, cause) => {
        k.metrics.upstreamCalls.inc({ upstream: UPSTREAM, outcome: 'unavailable' });
        k.log.warn({ reqId: call.requestId, method: method.name, version: method.version, status, cause: cause?.cause?.code }, `opretail method failed: ${message}`);
        return new UpstreamUnavailable(UPSTREAM, `${what}: ${message}`, status);
    };
    try {
        let res;
        let text;
        try {
            res = await fetch(url, {
                method: 'POST',
                headers: {
                    'content-type': 'application/json; charset=utf-8',
                    accept: 'application/json',
                    'x-kaifang-akey': key.applicationKey,
                    'x-kaifang-enterprise-id': String(key.enterpriseId),
                    'x-request-id': call.requestId,
                },
                body: JSON.stringify(call.values),
                signal: AbortSignal.timeout(timeoutMs),
            });
            text = await res.text();
        }
        catch (err) {
            const timedOut = err.name === 'TimeoutError' || err.name === 'AbortError';
            throw fail(timedOut ? `the service did not answer within ${timeoutMs} ms` : 'the service could not be reached', undefined, err);
        }
        if (res.status < 200 || res.status > 299)
            throw fail(`the service answered HTTP ${res.status}`, res.status);
        let data;
        try {
            data = JSON.parse(text);
        }
        catch {
            throw fail('the service answered with a body that is not JSON', res.status);
        }
        k.metrics.upstreamCalls.inc({ upstream: UPSTREAM, outcome: 'ok' });
        return data;
    }
    finally {
        k.metrics.upstreamLatency.observe({ upstream: UPSTREAM }, Number(process.hrtime.bigint() - started) / 1e9);
    }
}
