import { jucai } from './signing.ts';
import type { Auth2OpenIdBody, Auth2OpenIdFields, ExtraFieldValue, JucaiReply, JucaiReplyData } from './wire.ts';
import { jsonObjectReply } from '../../client/json.ts';

export type { JucaiReply, JucaiReplyData };

/**
 * Typed client of the 巨彩商服 payment identity API (`POST /pay/api/1.0/auth2OpenId`). Works
 * against kaifang or the original host: it signs each request with the app secret (the Jeepay
 * family's scheme) and checks a reply as the Jeepay SDK's `checkSign` does: a reply with `data`
 * must carry a `sign` over it with the app secret, else JucaiReplySignatureError (with the server's
 * own `code` and `msg`); a reply without `data` (a refusal, or a failure after the request was
 * read) has nothing to check: it is returned as it came, to be read, not trusted.
 */
export interface JucaiClientOptions {
  /** e.g. `http://127.0.0.1:8080`, or the original host. */
  baseUrl: string;
  mchNo: string;
  appId: string;
  /** The app secret. */
  secret: string;
  /** Per-request timeout, ms; default 10 000. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface Auth2OpenIdInput extends Pick<Auth2OpenIdFields, 'mchOrderNo' | 'wayCode' | 'authCode' | 'clientIp' | 'subAppid'> {
  /** Default `88888888` (no real terminal). */
  termId?: string;
  /** Extra top-level fields a Jeepay-family client adds (`reqTime`, `signType`, …): sent and signed. */
  extra?: Record<string, ExtraFieldValue>;
}

/** The reply's `sign` does not match its data under the app secret: do not trust the reply. */
export class JucaiReplySignatureError extends Error {
  constructor(readonly reply: JucaiReply) {
    super(
      `the server answered code ${reply.code} (${reply.msg}), but its sign does not verify with this app secret: the secret is wrong, or the reply did not come from a server holding it`,
    );
    this.name = 'JucaiReplySignatureError';
  }
}

/** The server did not answer in the jucai shape (HTTP error page, not JSON, …). */
export class JucaiProtocolError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'JucaiProtocolError';
  }
}

const PATH = '/pay/api/1.0/auth2OpenId';

export class JucaiClient {
  private readonly base: string;
  private readonly doFetch: typeof fetch;

  constructor(private readonly options: JucaiClientOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.doFetch = options.fetch ?? fetch;
  }

  /** The signed JSON body of a request. */
  signedBody(input: Auth2OpenIdInput): Auth2OpenIdBody {
    const body: Auth2OpenIdFields & Record<string, ExtraFieldValue | undefined> = {
      ...input.extra,
      version: '1.0',
      termId: input.termId ?? '88888888',
      mchNo: this.options.mchNo,
      appId: this.options.appId,
      mchOrderNo: input.mchOrderNo,
      wayCode: input.wayCode,
      authCode: input.authCode,
      clientIp: input.clientIp,
      ...(input.subAppid !== undefined ? { subAppid: input.subAppid } : {}),
    };
    return { ...body, sign: jucai.sign(body, this.options.secret) };
  }

  /** Payment authorization code → payer identity; `data.returnCode` `000000` on success. */
  async auth2OpenId(input: Auth2OpenIdInput): Promise<JucaiReply> {
    const res = await this.doFetch(this.base + PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', accept: 'application/json' },
      body: JSON.stringify(this.signedBody(input)),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
    });
    const reply = await jsonObjectReply(res, PATH, (message) => new JucaiProtocolError(res.status, message));
    const r = reply as unknown as JucaiReply;
    if (typeof r.code !== 'number' || typeof r.msg !== 'string') {
      throw new JucaiProtocolError(res.status, `${PATH} answered HTTP ${res.status} without code and msg`);
    }
    // As the Jeepay SDK's checkSign: a reply with data must carry a sign over it; one without has nothing to check.
    if (r.data === null || r.data === undefined) return { ...r, data: null };
    if (typeof r.sign !== 'string' || !jucai.verify({ ...r.data }, this.options.secret, r.sign)) throw new JucaiReplySignatureError(r);
    return r;
  }
}
