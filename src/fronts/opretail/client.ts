import { XMLParser } from 'fast-xml-parser';
import { formatCompact } from '../../kernel/cst.ts';
import { valueText, type SignedValue } from '../../kernel/signing.ts';
import { opretail } from './signing.ts';
import type { OpretailDeveloperRecord, OpretailResponse, OpretailStat } from './wire.ts';

export type { OpretailDeveloperRecord, OpretailResponse, OpretailStat };

/**
 * Typed client of the 万店掌 (Opretail) gateway `/m.api`: against kaifang, or against the original
 * host (`http://openapi.opretail.com`). It signs as the vendor's SDKs do and returns the gateway's
 * reply as parsed; a non-zero `stat.code` is returned, not thrown, since it is the API's answer.
 */

export type OpretailParamValue = SignedValue;

export interface OpretailClientOptions {
  /** e.g. `http://127.0.0.1:8080` or `http://openapi.opretail.com`; `/m.api` is appended. */
  baseUrl: string;
  applicationKey: string;
  applicationSecret: string;
  aid?: string;
  signMethod?: 'md5' | 'sha1';
  format?: 'json' | 'xml';
  /** What `_requestMode` says; defaults to the transport's HTTP method in lowercase (as the Java SDK sends it). */
  requestMode?: string;
  /** `form` (POST x-www-form-urlencoded, the default), `json` (POST a flat JSON object) or `get`. */
  transport?: 'form' | 'json' | 'get';
  /** Sent as the `environment` header: `test` and `dev` route to a method's test service. */
  environment?: 'formal' | 'test' | 'dev';
  fetch?: typeof fetch;
  /** Where the client reads the time (ms since the epoch); default the system clock. */
  clock?: { now(): number };
  timeoutMs?: number;
}

/** The reply could not be read as the gateway's shape (wrong URL, proxy error page, …). */
export class OpretailProtocolError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'OpretailProtocolError';
  }
}

const xml = new XMLParser({ parseTagValue: false, ignoreAttributes: true });

function fromXml(text: string): OpretailResponse {
  const doc = xml.parse(text) as { response?: { stat?: Record<string, string>; result?: string; data?: unknown } };
  const r = doc.response;
  if (!r?.stat) throw new Error('no <response><stat> element');
  return {
    stat: {
      cid: String(r.stat.cid ?? ''),
      code: Number(r.stat.code),
      codename: String(r.stat.codename ?? ''),
      systime: Number(r.stat.systime),
    },
    result: String(r.result ?? ''),
    data: r.data === '' || r.data === undefined ? null : r.data,
  };
}

export class OpretailClient {
  private readonly o: Required<Pick<OpretailClientOptions, 'aid' | 'signMethod' | 'transport'>> & OpretailClientOptions;
  private readonly endpoint: string;

  constructor(options: OpretailClientOptions) {
    this.o = { aid: 'S107', signMethod: 'md5', transport: 'form', ...options };
    const base = options.baseUrl.replace(/\/+$/, '');
    this.endpoint = base.endsWith('/m.api') ? base : `${base}/m.api`;
  }

  /** The signed parameters of a call, for inspection or for sending by other means. */
  sign(method: string, version: string, params: Record<string, OpretailParamValue> = {}): Record<string, OpretailParamValue> {
    const o = this.o;
    const all: Record<string, OpretailParamValue> = {
      ...params,
      _aid: o.aid,
      _akey: o.applicationKey,
      _mt: method,
      _sm: o.signMethod,
      _requestMode: o.requestMode ?? (o.transport === 'get' ? 'get' : 'post'),
      _version: version,
      _timestamp: formatCompact(o.clock?.now() ?? Date.now()),
      ...(o.format ? { _format: o.format } : {}),
    };
    all._sig = opretail.sign(all, o.applicationSecret, o.signMethod);
    return all;
  }

  async call<T = unknown>(method: string, version: string, params: Record<string, OpretailParamValue> = {}): Promise<OpretailResponse<T>> {
    const all = this.sign(method, version, params);
    const form = () => new URLSearchParams(Object.entries(all).map(([n, v]) => [n, valueText(v)])).toString();
    const headers: Record<string, string> = {};
    if (this.o.environment) headers.environment = this.o.environment;
    let url = this.endpoint;
    let init: RequestInit;
    if (this.o.transport === 'get') {
      url += `?${form()}`;
      init = { method: 'GET', headers };
    } else if (this.o.transport === 'json') {
      init = { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(all) };
    } else {
      init = { method: 'POST', headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, body: form() };
    }
    if (this.o.timeoutMs) init.signal = AbortSignal.timeout(this.o.timeoutMs);
    const res = await (this.o.fetch ?? fetch)(url, init);
    const text = await res.text();
    try {
      const reply = this.o.format === 'xml' ? fromXml(text) : (JSON.parse(text) as OpretailResponse<T>);
      if (typeof reply?.stat?.code !== 'number' || Number.isNaN(reply.stat.code)) throw new Error('no numeric stat.code');
      return reply as OpretailResponse<T>;
    } catch (err) {
      throw new OpretailProtocolError(
        `HTTP ${res.status}: the reply is not an Opretail gateway reply (${(err as Error).message})`,
        res.status,
      );
    }
  }

  /** `open.gateway.authentication`: the developer record of this key, if `orgid` is its enterprise. */
  authenticate(orgid: number | string, version = 'v2'): Promise<OpretailResponse<OpretailDeveloperRecord>> {
    return this.call<OpretailDeveloperRecord>('open.gateway.authentication', version, { orgid });
  }
}
