import { createHmac, randomUUID } from 'node:crypto';
import { UpstreamRejected, UpstreamUnavailable } from '../../kernel/errors.ts';
import { callUpstream, jsonObject, type HttpOptions } from '../http.ts';
import type { SmsProvider } from '../types.ts';

export const ALIYUN_SMS_ENDPOINT = 'https://dysmsapi.aliyuncs.com';

/**
 * Alibaba Cloud's RPC percent-encoding ("POP" encoding): RFC 3986 unreserved characters stay, every
 * other UTF-8 byte becomes %XX (uppercase), so space is %20, `*` is %2A and `~` stays.
 */
export function popEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The canonicalized query string: every parameter but `Signature`, sorted by name, POP-encoded. */
export function aliyunCanonicalQuery(params: Record<string, string>): string {
  return Object.keys(params)
    .filter((k) => k !== 'Signature')
    .sort()
    .map((k) => `${popEncode(k)}=${popEncode(params[k]!)}`)
    .join('&');
}

/**
 * The classic RPC signature (SignatureMethod HMAC-SHA1, SignatureVersion 1.0):
 * Base64(HMAC-SHA1(secret + "&", METHOD + "&" + enc("/") + "&" + enc(canonicalQuery))).
 */
export function aliyunRpcSignature(method: 'GET' | 'POST', params: Record<string, string>, accessKeySecret: string): string {
  const stringToSign = `${method}&${popEncode('/')}&${popEncode(aliyunCanonicalQuery(params))}`;
  return createHmac('sha1', `${accessKeySecret}&`).update(stringToSign, 'utf8').digest('base64');
}

export interface AliyunSmsOptions {
  endpoint: () => string;
  accessKeyId: string;
  accessKeySecret: string;
  signName: string;
  templateCode: string;
  regionId?: string;
  /** For tests: fixed time and nonce. */
  now?: () => Date;
  nonce?: () => string;
}

/**
 * Alibaba Cloud SMS `SendSms` (dysmsapi, version 2017-05-25) as an RPC call: all parameters,
 * signature included, in a form-encoded POST body. `Code` "OK" is sent; any other `Code`
 * (isv.BUSINESS_LIMIT_CONTROL, isv.MOBILE_NUMBER_ILLEGAL, SignatureDoesNotMatch, …) is a refusal.
 * Never retried: a send that timed out may still have gone out.
 */
export class AliyunSms implements SmsProvider {
  readonly name = 'aliyun';
  constructor(
    private readonly options: AliyunSmsOptions,
    private readonly http: HttpOptions,
  ) {}

  /** The signed parameters of one SendSms call. */
  signedParams(mobile: string, code: string): Record<string, string> {
    const o = this.options;
    const params: Record<string, string> = {
      AccessKeyId: o.accessKeyId,
      Action: 'SendSms',
      Format: 'JSON',
      PhoneNumbers: mobile,
      RegionId: o.regionId ?? 'cn-hangzhou',
      SignName: o.signName,
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: o.nonce ? o.nonce() : randomUUID(),
      SignatureVersion: '1.0',
      TemplateCode: o.templateCode,
      TemplateParam: JSON.stringify({ code }),
      Timestamp: (o.now ? o.now() : new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      Version: '2017-05-25',
    };
    params.Signature = aliyunRpcSignature('POST', params, o.accessKeySecret);
    return params;
  }

  async send(mobile: string, code: string, _minutes: number): Promise<void> {
    const params = this.signedParams(mobile, code);
    const body = Object.entries(params)
      .map(([k, v]) => `${popEncode(k)}=${popEncode(v)}`)
      .join('&');
    const url = `${this.options.endpoint().replace(/\/+$/, '')}/`;
    await callUpstream(
      this.http,
      {
        upstream: 'aliyun-sms',
        url,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
      },
      (res) => {
        const reply = jsonObject(res, 'aliyun-sms');
        const replyCode = typeof reply.Code === 'string' ? reply.Code : undefined;
        if (replyCode === 'OK' && res.status === 200) return;
        if (replyCode === undefined) {
          throw new UpstreamUnavailable('aliyun-sms', `aliyun-sms: HTTP ${res.status} without a Code`, res.status);
        }
        throw new UpstreamRejected('aliyun-sms', replyCode, typeof reply.Message === 'string' ? reply.Message : '');
      },
    );
  }
}
