/**
 * What the simulators of this process answered lately, for the console's sandbox page: each
 * WeChat Pay query, UnionPay bridge request and WeChat web-authorization code exchange (the 微厅
 * login's WeChat step), with its own answer — one entry per attempt, as the Jeepay notify lesson
 * asks. In memory, the last `size` entries; sandbox mode only.
 */
export interface JournalEntry {
  id: number;
  at: number;
  /** wechatpay, unionpay-bridge, wechat-oauth. */
  service: string;
  /** What was asked, in a few words (merchant, payer code, appid). */
  request: string;
  /** The HTTP status and what the simulator answered, in a few words. */
  status: number;
  answer: string;
}

export class SandboxJournal {
  private entries: JournalEntry[] = [];
  private next = 1;

  constructor(private readonly size = 200) {}

  add(entry: Omit<JournalEntry, 'id'>): void {
    this.entries.push({ id: this.next++, ...entry });
    if (this.entries.length > this.size) this.entries.splice(0, this.entries.length - this.size);
  }

  /** Newest first; only `service` when given; only entries after `afterId`. */
  list(filter: { service?: string; afterId?: number; limit?: number } = {}): JournalEntry[] {
    return this.entries
      .filter((e) => (filter.service === undefined || e.service === filter.service) && e.id > (filter.afterId ?? 0))
      .slice(-(filter.limit ?? 50))
      .reverse();
  }

  clear(): number {
    const n = this.entries.length;
    this.entries = [];
    return n;
  }
}

const field = (text: string, name: string) => new RegExp(`<${name}>(?:<!\\[CDATA\\[)?([^<\\]]*)`).exec(text)?.[1];

/** The journal's line for a simulator's request and answer, by the path it came on; undefined for paths not journalled. */
export function journalLine(
  path: string,
  query: Record<string, unknown>,
  body: unknown,
  status: number,
  payload: string,
): Omit<JournalEntry, 'id' | 'at'> | undefined {
  const raw = Buffer.isBuffer(body) ? body.toString('utf8') : '';
  if (path.endsWith('/wechatpay/tools/authcodetoopenid')) {
    const answer =
      field(payload, 'return_code') === 'SUCCESS'
        ? field(payload, 'result_code') === 'SUCCESS'
          ? `openid ${field(payload, 'openid') ?? ''}`
          : `${field(payload, 'err_code') ?? 'FAIL'} ${field(payload, 'err_code_des') ?? ''}`
        : `return_code ${field(payload, 'return_code') ?? '?'} ${field(payload, 'return_msg') ?? payload.slice(0, 60)}`;
    return {
      service: 'wechatpay',
      request: `mch_id ${field(raw, 'mch_id') ?? '?'}, auth_code ${field(raw, 'auth_code') ?? '?'}`,
      status,
      answer,
    };
  }
  if (/\/unionpay-bridge\/?$/.test(path)) {
    let request = 'unreadable body';
    try {
      const b = JSON.parse(raw) as Record<string, unknown>;
      request = `merchantNo ${String(b.merchantNo)}, userAuthCode ${String(b.userAuthCode)}`;
    } catch {
      /* shown as unreadable */
    }
    let answer = payload.slice(0, 80);
    try {
      const a = JSON.parse(payload) as Record<string, unknown>;
      answer = `${String(a.code)} ${String(a.msg ?? '')}${a.userId ? ` userId ${String(a.userId)}` : ''}`;
    } catch {
      /* shown as received */
    }
    return { service: 'unionpay-bridge', request, status, answer };
  }
  if (path.endsWith('/wechat/sns/oauth2/access_token')) {
    let answer = payload.slice(0, 80);
    try {
      const a = JSON.parse(payload) as Record<string, unknown>;
      answer = a.openid ? `openid ${String(a.openid)}` : `${String(a.errcode)} ${String(a.errmsg ?? '')}`;
    } catch {
      /* shown as received */
    }
    return { service: 'wechat-oauth', request: `appid ${String(query.appid ?? '?')}`, status, answer };
  }
  return undefined;
}
