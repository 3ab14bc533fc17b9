import { storepos } from './signing.ts';
import type { Code2SessionReply, StoreposReply, StoreposState } from './wire.ts';

export type { Code2SessionReply, StoreposReply, StoreposState };
import { jsonObjectReply } from '../../client/json.ts';

/**
 * Typed client of the 超赢 (storepos) agent API. Works against kaifang or the original host
 * (`https://api.storepos.cn`): it signs each request with the agent key and verifies each reply's
 * `sign` before returning it, throwing StoreposReplySignatureError on a mismatch.
 */
export interface StoreposClientOptions {
  /** e.g. `https://api.storepos.cn` or `http://127.0.0.1:8080`. */
  baseUrl: string;
  agentId: string;
  key: string;
  /** The caller's product name (`pid`); default `kaifang-client`. */
  pid?: string;
  /** The caller's version (`version`); default `1.0`. */
  version?: string;
  /** Per-request timeout, ms; default 10 000. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** The reply's `sign` does not match its fields under the agent key: do not trust the reply. */
export class StoreposReplySignatureError extends Error {
  constructor(
    readonly path: string,
    readonly reply: StoreposReply,
  ) {
    super(
      `${path} answered ${reply.state} ${reply.code} (${String(reply.msg ?? '')}), but its sign does not verify with this agent key: ` +
        (reply.code === '10002'
          ? 'the server refused our signature, so the agent key given to the client is most likely wrong'
          : 'the key is wrong, or the reply did not come from a server holding this agent key'),
    );
    this.name = 'StoreposReplySignatureError';
  }
}

/** The server did not answer in the storepos shape (HTTP error page, not JSON, …). */
export class StoreposProtocolError extends Error {
  constructor(
    readonly path: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'StoreposProtocolError';
  }
}

export class StoreposClient {
  private readonly base: string;
  private readonly doFetch: typeof fetch;

  constructor(private readonly options: StoreposClientOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.doFetch = options.fetch ?? fetch;
  }

  /** `POST /Mch/GetMchSMSValid`: sends an SMS code; on success `code` is its validity in minutes. */
  getMchSMSValid(input: { mobile: string }): Promise<StoreposReply> {
    return this.call('/Mch/GetMchSMSValid', { mobile: input.mobile });
  }

  /** `POST /Mch/CheckMchSMSValid` (kaifang's extension): SUCCESS 10000 when the code is right. */
  checkMchSMSValid(input: { mobile: string; validCode: string }): Promise<StoreposReply> {
    return this.call('/Mch/CheckMchSMSValid', { mobile: input.mobile, valid_code: input.validCode });
  }

  /** `POST /Open/WXA_Code2Session`: a mini-program `wx.login` code to openid and session_key. */
  code2Session(input: { appid: string; jsCode: string }): Promise<Code2SessionReply> {
    return this.call('/Open/WXA_Code2Session', { appid: input.appid, js_code: input.jsCode });
  }

  /** The signed form body of a call, for logging-free debugging or other transports. */
  signedParams(params: Record<string, string>): Record<string, string> {
    const all: Record<string, string> = {
      agent_id: this.options.agentId,
      pid: this.options.pid ?? 'kaifang-client',
      version: this.options.version ?? '1.0',
      ...params,
    };
    return { ...all, sign: storepos.sign(all, this.options.key) };
  }

  /** Sends any storepos call (extra parameters are signed like the others) and verifies the reply. */
  async call<R extends StoreposReply = StoreposReply>(path: string, params: Record<string, string>): Promise<R> {
    const res = await this.doFetch(this.base + path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', accept: 'application/json' },
      body: new URLSearchParams(this.signedParams(params)).toString(),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
    });
    const reply = await jsonObjectReply(res, path, (message) => new StoreposProtocolError(path, res.status, message));
    if (!isReply(reply))
      throw new StoreposProtocolError(path, res.status, `${path} answered HTTP ${res.status} without state, code and sign`);
    this.verify(path, reply);
    return reply as R;
  }

  /**
   * Checks `sign` over the reply's other non-empty fields. An empty `sign` is accepted only on a
   * FAIL 10005 (the server could not identify the agent, so it had no key to sign with).
   */
  private verify(path: string, reply: StoreposReply): void {
    if (reply.sign === '' && reply.state === 'FAIL' && reply.code === '10005') return;
    const fields: Record<string, string | number> = {};
    for (const [name, value] of Object.entries(reply)) {
      if (typeof value === 'string' || typeof value === 'number') fields[name] = value;
      else if (name !== 'sign' && value !== null && value !== undefined) throw new StoreposReplySignatureError(path, reply);
    }
    if (!storepos.verify(fields, this.options.key, reply.sign)) throw new StoreposReplySignatureError(path, reply);
  }
}

function isReply(v: unknown): v is StoreposReply {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return typeof r.state === 'string' && typeof r.code === 'string' && typeof r.sign === 'string';
}
