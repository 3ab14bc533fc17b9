import { randomUUID } from 'node:crypto';
import { UpstreamRejected } from '../../kernel/errors.ts';
import { bodySignature } from '../hmac.ts';
import { callUpstream, excerpt, type HttpOptions } from '../http.ts';
import type { SmsProvider } from '../types.ts';

export interface WebhookSmsOptions {
  url: () => string;
  secret: string;
  now?: () => number;
}

/**
 * The operator's own SMS gateway: `POST url` with JSON `{mobile, code, minutes, requestId,
 * timestamp}`, signed with `X-Kaifang-Signature` (hmac.ts). Any 2xx means sent; any other status is a refusal carrying the status
 * and an excerpt of the body. Never retried (`requestId` lets the receiver de-duplicate anyway).
 */
export class WebhookSms implements SmsProvider {
  readonly name = 'webhook';
  constructor(
    private readonly options: WebhookSmsOptions,
    private readonly http: HttpOptions,
  ) {}

  async send(mobile: string, code: string, minutes: number): Promise<void> {
    const timestamp = Math.floor((this.options.now ? this.options.now() : Date.now()) / 1000);
    const body = JSON.stringify({ mobile, code, minutes, requestId: randomUUID(), timestamp });
    const headers = {
      'content-type': 'application/json; charset=utf-8',
      'x-kaifang-signature': bodySignature(this.options.secret, body),
      'x-kaifang-timestamp': String(timestamp),
    };
    await callUpstream(this.http, { upstream: 'webhook', url: this.options.url(), method: 'POST', headers, body }, (res) => {
      if (res.status < 200 || res.status > 299) {
        throw new UpstreamRejected('webhook', String(res.status), excerpt(res.text));
      }
    });
  }
}
