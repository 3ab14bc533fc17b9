import { jsonObjectReply } from '../../client/json.ts';
import type { LoginReport, OrderReport, PrizeNoticeFields, TicketDiagnostic, WeitingUserInfo } from './wire.ts';

/**
 * Typed client of the 上海电信 微厅 open platform (`/service/…`), against kaifang or the original
 * host. It gets the access token itself, keeps it, renews it before it expires (the token lives
 * 7200 s) and once more when the server answers `access_token校验异常` (a token revoked or lost),
 * then retries that call once. Callers sharing one client share one token and one renewal.
 */
export interface WeitingClientOptions {
  /** e.g. `http://127.0.0.1:8080`, or the original host. */
  baseUrl: string;
  appid: string;
  secret: string;
  /** Renew this long before the token expires; default 5 minutes. */
  renewBeforeMs?: number;
  /** Per-request timeout, ms; default 10 000. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** The clock the token's age is read with (tests); default Date.now. */
  now?: () => number;
}

/** The wire's field and reply types, shared with the server (wire.ts). */
export type {
  LoginReport as PartnerReport,
  OrderReport,
  PrizeNoticeFields as PrizeNoticeInput,
  WeitingDevice,
  WeitingUserInfo,
} from './wire.ts';

/** The server refused the call; `reply` is its answer as it came (the seed's shape of that endpoint). */
export class WeitingError extends Error {
  constructor(
    readonly endpoint: string,
    readonly reply: Record<string, unknown>,
    message: string,
  ) {
    super(`${endpoint}: ${message} (the server answered ${JSON.stringify(reply).slice(0, 300)})`);
    this.name = 'WeitingError';
  }
}

/** The server did not answer in a 微厅 shape (an HTTP error page, not JSON, …). */
export class WeitingProtocolError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'WeitingProtocolError';
  }
}

const TOKEN_LIFE_MS = 7200_000;
const TOKEN_REFUSED = 'access_token校验异常';
type Reply = Record<string, unknown>;
type Body = { form: Record<string, string> } | { json: Record<string, string> };

export class WeitingClient {
  private readonly base: string;
  private readonly doFetch: typeof fetch;
  private readonly now: () => number;
  private token: { value: string; expiresAt: number } | undefined;
  private renewing: Promise<string> | undefined;

  constructor(private readonly options: WeitingClientOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.doFetch = options.fetch ?? fetch;
    this.now = options.now ?? Date.now;
  }

  /** The current access token, fetched or renewed when it is missing or about to expire. */
  async accessToken(): Promise<string> {
    const t = this.token;
    if (t && t.expiresAt - (this.options.renewBeforeMs ?? 300_000) > this.now()) return t.value;
    return this.renew();
  }

  /** Starts a WeChat login: the URL to send the user to; they come back to `partnerUrl` with `?code=`. */
  async loginUrl(partnerUrl: string): Promise<string> {
    const r = await this.call('POST', '/service/wxoauth/2.0/getBaseUrl', {}, { form: { state: partnerUrl } });
    if (r.status !== 200 || typeof r.redirect !== 'string') throw new WeitingError('getBaseUrl', r, String(r.errMsg ?? 'no redirect'));
    return r.redirect;
  }

  /** The openid a login's `code` stands for (once, within 5 minutes). */
  async openidByCode(code: string): Promise<string> {
    const r = await this.call('POST', '/service/wxoauth/2.0/getOpenidByCode', {}, { form: { code } });
    if (r.status !== 200 || typeof r.openid !== 'string') throw new WeitingError('getOpenidByCode', r, String(r.errMsg ?? 'no openid'));
    return r.openid;
  }

  /** The user and their bound devices; null for an openid the platform does not know. */
  async userInfo(openid: string): Promise<WeitingUserInfo | null> {
    const r = await this.call('GET', '/service/1.0/user/info', { openid });
    if (r.flag === 0 && r.result) return r.result as WeitingUserInfo;
    if (r.flag === 1 && r.errMsg === undefined) return null;
    throw new WeitingError('user/info', r, String(r.errMsg ?? 'no result'));
  }

  /**
   * Sends a prize notice: `sent` when WeChat accepted it, `failed` when WeChat refused it or the
   * day's limit for the user was reached. A wrong parameter or an unreachable WeChat throws.
   */
  async sendPrizeNotice(notice: PrizeNoticeFields, options: { idempotencyKey?: string } = {}): Promise<'sent' | 'failed'> {
    const form: Record<string, string> = {
      openid: notice.openid,
      first: notice.first,
      activity: notice.activity,
      prize: notice.prize,
      remark: notice.remark,
      ...(notice.url ? { url: notice.url } : {}),
    };
    const r = await this.call('POST', '/service/1.0/sendPrizeNotice', {}, { form }, options.idempotencyKey);
    if (r.status === 200) return 'sent';
    if (r.status === 0 && r.errMsg === undefined) return 'failed';
    throw new WeitingError('sendPrizeNotice', r, String(r.errMsg ?? r.result ?? 'unexpected answer'));
  }

  /** Reports that the user logged in with a device (bound to them if it was not). */
  async reportLogin(report: LoginReport): Promise<void> {
    const r = await this.call('POST', '/service/weekBind/create', {}, { json: { ...report } });
    if (r.status !== 200) throw new WeitingError('weekBind/create', r, String(r.data ?? 'refused'));
  }

  /** Reports a data-plan order: its order number. With the same `idempotencyKey`, a retry gets the same number. */
  async reportOrder(order: OrderReport, options: { idempotencyKey?: string } = {}): Promise<string> {
    const r = await this.call('POST', '/service/flowOrders/create', {}, { json: { ...order } }, options.idempotencyKey);
    if (r.status !== 200 || typeof r.data !== 'string') throw new WeitingError('flowOrders/create', r, String(r.data ?? 'refused'));
    return r.data;
  }

  /** The mobile number an app ticket stands for (once, within 5 minutes). */
  async ticketMobile(ticket: string): Promise<string> {
    const r = await this.call('GET', '/service/appOauthen/Ticket', { ticket });
    const data = r.data as { mobile?: unknown } | string | undefined;
    if (r.errcode === 0 && typeof data === 'object' && typeof data.mobile === 'string') return data.mobile;
    const why = (r.msg as TicketDiagnostic | undefined)?.CAPRoot?.SessionHeader?.[0]?.Response?.[0]?.RspDesc?.[0];
    throw new WeitingError(
      'appOauthen/Ticket',
      r,
      why ?? (typeof data === 'object' ? String(data.mobile) : String(data ?? r.errMsg ?? 'refused')),
    );
  }

  private renew(): Promise<string> {
    this.renewing ??= (async () => {
      try {
        const issuedAt = this.now();
        const r = await this.request('GET', '/service/1.0/access/token', { appid: this.options.appid, secret: this.options.secret });
        if (r.status !== 200 || typeof r.data !== 'string') throw new WeitingError('access/token', r, String(r.errMsg ?? 'no token'));
        this.token = { value: r.data, expiresAt: issuedAt + TOKEN_LIFE_MS };
        return r.data;
      } finally {
        this.renewing = undefined;
      }
    })();
    return this.renewing;
  }

  /** A call with the access token; renewed and retried once when the server refuses the token. */
  private async call(
    method: 'GET' | 'POST',
    path: string,
    query: Record<string, string>,
    body?: Body,
    idempotencyKey?: string,
  ): Promise<Reply> {
    const token = await this.accessToken();
    const r = await this.request(method, path, { ...query, access_token: token }, body, idempotencyKey);
    if (!(r.status === 0 && r.errMsg === TOKEN_REFUSED)) return r;
    if (this.token?.value === token) this.token = undefined;
    const fresh = await this.accessToken();
    return this.request(method, path, { ...query, access_token: fresh }, body, idempotencyKey);
  }

  private async request(
    method: 'GET' | 'POST',
    path: string,
    query: Record<string, string>,
    body?: Body,
    idempotencyKey?: string,
  ): Promise<Reply> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
    let payload: string | undefined;
    if (body && 'form' in body) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      payload = new URLSearchParams(body.form).toString();
    } else if (body) {
      headers['content-type'] = 'application/json; charset=utf-8';
      payload = JSON.stringify(body.json);
    }
    const res = await this.doFetch(`${this.base}${path}?${new URLSearchParams(query)}`, {
      method,
      headers,
      ...(payload !== undefined ? { body: payload } : {}),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
    });
    return jsonObjectReply(res, path, (message) => new WeitingProtocolError(res.status, message));
  }
}
