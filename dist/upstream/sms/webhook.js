import { createHmac, randomUUID } from 'node:crypto';
import { UpstreamRejected } from '../../core/errors.js';
import { callUpstream, excerpt } from '../http.js';
/**
 * `X-Kaifang-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>`. The body carries a
 * `timestamp` (also sent as `X-Kaifang-Timestamp`), so a receiver can reject stale replays with
 * the signature covering the time it checks.
 */
export function webhookSignature(secret, rawBody) {
    return `sha256=${createHmac('sha256', secret).update(rawBody, 'utf8').digest('hex')}`;
}
/**
 * The operator's own SMS gateway: `POST url` with JSON `{mobile, code, minutes, requestId,
 * timestamp}`, HMAC-signed. Any 2xx means sent; any other status is a refusal carrying the status
 * and an excerpt of the body. Never retried (`requestId` lets the receiver de-duplicate anyway).
 */
export class WebhookSms {
    options;
    http;
    name = 'webhook';
    constructor(options, http) {
        this.options = options;
        this.http = http;
    }
    async send(mobile, code, minutes) {
        const timestamp = Math.floor((this.options.now ? this.options.now() : Date.now()) / 1000);
        const body = JSON.stringify({ mobile, code, minutes, requestId: randomUUID(), timestamp });
        const headers = {
            'content-type': 'application/json; charset=utf-8',
            'x-kaifang-signature': webhookSignature(this.options.secret, body),
            'x-kaifang-timestamp': String(timestamp),
        };
        await callUpstream(this.http, { upstream: 'webhook', url: this.options.url(), method: 'POST', headers, body }, (res) => {
            if (res.status < 200 || res.status > 299) {
                throw new UpstreamRejected('webhook', String(res.status), excerpt(res.text));
            }
        });
    }
}
