import { createHash, createHmac } from 'node:crypto';
import { UpstreamRejected, UpstreamUnavailable } from '../../kernel/errors.ts';
import { callUpstream, jsonObject, type HttpOptions } from '../http.ts';
import type { SmsProvider } from '../types.ts';

export const TENCENT_SMS_ENDPOINT = 'https://sms.tencentcloudapi.com';
export const TC3_CONTENT_TYPE = 'application/json; charset=utf-8';

const sha256Hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const hmac = (key: string | Buffer, msg: string) => createHmac('sha256', key).update(msg, 'utf8').digest();

export interface Tc3Input {
  secretKey: string;
  service: string;
  host: string;
  /** Unix seconds, the X-TC-Timestamp header. */
  timestamp: number;
  payload: string;
  contentType?: string;
}

/**
 * TencentCloud API 3.0 signature (TC3-HMAC-SHA256) of a POST with a JSON body, signing the
 * `content-type` and `host` headers as the documentation's example does. The credential date is
 * the UTC date of the timestamp.
 */
export function tc3Signature(i: Tc3Input): { signature: string; date: string; signedHeaders: string } {
  const date = new Date(i.timestamp * 1000).toISOString().slice(0, 10);
  const signedHeaders = 'content-type;host';
  const canonicalRequest = [
    'POST',
    '/',
    '',
    `content-type:${(i.contentType ?? TC3_CONTENT_TYPE).toLowerCase()}\nhost:${i.host.toLowerCase()}\n`,
    signedHeaders,
    sha256Hex(i.payload),
  ].join('\n');
  const stringToSign = `TC3-HMAC-SHA256\n${i.timestamp}\n${date}/${i.service}/tc3_request\n${sha256Hex(canonicalRequest)}`;
  const key = hmac(hmac(hmac(`TC3${i.secretKey}`, date), i.service), 'tc3_request');
  return { signature: createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex'), date, signedHeaders };
}

/** The Authorization header value for a TC3 request. */
export function tc3Authorization(secretId: string, i: Tc3Input): string {
  const { signature, date, signedHeaders } = tc3Signature(i);
  return `TC3-HMAC-SHA256 Credential=${secretId}/${date}/${i.service}/tc3_request, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}

export interface TencentSmsOptions {
  endpoint: () => string;
  secretId: string;
  secretKey: string;
  sdkAppId: string;
  signName: string;
  templateId: string;
  region: string;
  /** Which template parameters the approved template has: `{1}` = code, `{2}` = minutes. */
  templateParams: 'code' | 'code,minutes';
  /** For tests: fixed time (Unix seconds). */
  now?: () => number;
}

/**
 * Tencent Cloud SMS `SendSms` (API 3.0, version 2021-01-11). The answer is always
 * `{"Response": …}`: `Response.Error` for a refused call (auth, parameters, limits) and otherwise
 * `Response.SendStatusSet[0].Code` "Ok" or the per-number refusal (LimitExceeded.PhoneNumberDailyLimit,
 * InvalidParameterValue.IncorrectPhoneNumber, …). Never retried.
 */
export class TencentSms implements SmsProvider {
  readonly name = 'tencent';
  constructor(
    private readonly options: TencentSmsOptions,
    private readonly http: HttpOptions,
  ) {}

  /** The JSON body and headers of one SendSms call. */
  request(mobile: string, code: string, minutes: number): { url: string; headers: Record<string, string>; body: string } {
    const o = this.options;
    const url = new URL(o.endpoint());
    const body = JSON.stringify({
      PhoneNumberSet: [`+86${mobile}`],
      SmsSdkAppId: o.sdkAppId,
      SignName: o.signName,
      TemplateId: o.templateId,
      TemplateParamSet: o.templateParams === 'code' ? [code] : [code, String(minutes)],
    });
    const timestamp = o.now ? o.now() : Math.floor(Date.now() / 1000);
    const authorization = tc3Authorization(o.secretId, {
      secretKey: o.secretKey,
      service: 'sms',
      host: url.host,
      timestamp,
      payload: body,
    });
    return {
      url: url.toString(),
      body,
      headers: {
        authorization,
        'content-type': TC3_CONTENT_TYPE,
        'x-tc-action': 'SendSms',
        'x-tc-version': '2021-01-11',
        'x-tc-timestamp': String(timestamp),
        'x-tc-region': o.region,
      },
    };
  }

  async send(mobile: string, code: string, minutes: number): Promise<void> {
    const { url, headers, body } = this.request(mobile, code, minutes);
    await callUpstream(this.http, { upstream: 'tencent-sms', url, method: 'POST', headers, body }, (res) => {
      const response = jsonObject(res, 'tencent-sms').Response as Record<string, unknown> | undefined;
      if (typeof response !== 'object' || response === null) {
        throw new UpstreamUnavailable('tencent-sms', `tencent-sms: HTTP ${res.status} without a Response`, res.status);
      }
      const error = response.Error as { Code?: unknown; Message?: unknown } | undefined;
      if (error && typeof error === 'object') {
        throw new UpstreamRejected('tencent-sms', String(error.Code ?? ''), String(error.Message ?? ''));
      }
      const status = Array.isArray(response.SendStatusSet) ? (response.SendStatusSet[0] as Record<string, unknown> | undefined) : undefined;
      if (!status || typeof status.Code !== 'string') {
        throw new UpstreamUnavailable('tencent-sms', 'tencent-sms: the answer has no SendStatusSet');
      }
      if (status.Code !== 'Ok') {
        throw new UpstreamRejected('tencent-sms', status.Code, typeof status.Message === 'string' ? status.Message : '');
      }
    });
  }
}
