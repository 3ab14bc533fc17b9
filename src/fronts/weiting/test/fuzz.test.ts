import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { TOKEN_REFUSED, weitingFixture, type Json } from './helpers.ts';
import { exchange, rng } from '../../../../test/helpers/fuzz.ts';

/**
 * A seeded fuzz of every `/service/` endpoint over real HTTP (weiting.md). Each case is a request
 * built from a valid one and then mutated: parameters dropped, added, repeated (with the same or
 * another value), huge, with control characters, broken percent-escapes, bytes that are not UTF-8,
 * numbers / booleans / null / objects where text is expected, JSON where a form is declared and the
 * reverse, odd or broken content types, empty bodies, `javascript:` / `//host` / `data:` URLs as
 * `state` and `url`, odd `deviceno` / `openid` / `transaction_date`, `Idempotency-Key` headers too
 * long or not ASCII, random tickets and codes, broken or missing access tokens, wrong methods and
 * paths. Some are left valid on purpose (and some of those are complete logins, issued tickets and
 * real codes), so the "nothing was half-done" checks at the end have something to count.
 *
 * Every reply is checked twice:
 * - its shape: never a 5xx; JSON in one of the endpoint's documented shapes (the HTML page or a 302
 *   for `wxcode`), the universal token refusal, or an HTTP-layer refusal `{status: 0, errMsg}` with
 *   a 4xx;
 * - against a model of what the request means (the bytes decoded the way weiting.md and a form or
 *   JSON body are read; the token, the one-time codes, tickets and logins the fuzz holds), so a
 *   request that should be refused is refused in the endpoint's own words, and one that should
 *   succeed does.
 * At the end: the sandbox inbox holds exactly the notices answered 发送成功, every recorded notice
 * and order belongs to a request answered as accepted (orders with the fields sent), login reports
 * and bindings match, and tickets untouched by a successful redemption still work.
 *
 * All problems are collected and reported together (with the seed, a summary by kind of reply and
 * a reproduction of each); FUZZ_SEED, FUZZ_CASES and FUZZ_SHOW (examples per kind) override the
 * defaults. Then: broken HTTP framing over a raw socket, and each bug the fuzz found, reduced to
 * its smallest request and kept as a regression test (the tests named "found by the fuzz" at the end).
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261203);
const CASES = Number(process.env.FUZZ_CASES ?? 2500);
/** Fastify's bodyLimit (KAIFANG_BODY_LIMIT's default) and Node's header limit. */
const BODY_LIMIT = 65_536;
const HEADER_LIMIT = 16_384;

type EpName = 'token' | 'getBaseUrl' | 'getOpenidByCode' | 'userInfo' | 'notice' | 'weekBind' | 'flowOrders' | 'ticket' | 'wxcode';
const ENDPOINTS: Record<EpName, { method: 'GET' | 'POST'; path: string; weight: number }> = {
  token: { method: 'GET', path: '/service/1.0/access/token', weight: 1 },
  getBaseUrl: { method: 'POST', path: '/service/wxoauth/2.0/getBaseUrl', weight: 2 },
  getOpenidByCode: { method: 'POST', path: '/service/wxoauth/2.0/getOpenidByCode', weight: 1.5 },
  userInfo: { method: 'GET', path: '/service/1.0/user/info', weight: 1.5 },
  notice: { method: 'POST', path: '/service/1.0/sendPrizeNotice', weight: 2.5 },
  weekBind: { method: 'POST', path: '/service/weekBind/create', weight: 2 },
  flowOrders: { method: 'POST', path: '/service/flowOrders/create', weight: 2.5 },
  ticket: { method: 'GET', path: '/service/appOauthen/Ticket', weight: 1.5 },
  wxcode: { method: 'GET', path: '/service/wxoauth/2.0/wxcode', weight: 1.5 },
};

// ---------------------------------------------------------------------------------------------
// Requests: a parameter list in a carrier (query, form, JSON), encoded to exact bytes.

interface Param {
  name: string;
  value: unknown;
  /** The exact text of `name=value` in a query or form (latin1: one char per byte), when not the plain encoding. */
  raw?: string;
  /** The exact text of `"name":value` in a JSON object, when not the plain encoding. */
  rawJson?: string;
}

interface Draft {
  ep: EpName;
  method: string;
  path: string;
  /** The query's first parts (the access token and its variants). */
  head: Param[];
  /** Where the endpoint's parameters go. */
  carrier: 'query' | 'form' | 'json';
  params: Param[];
  /** Parts appended to the query after everything else. */
  tail: Param[];
  /** The Content-Type header: undefined → the carrier's, null → none. */
  contentType?: string | null;
  /** Changes to the encoded body's bytes. */
  bodyEdits: ((body: Buffer) => Buffer)[];
  /** A body for a GET (ignored by the server). */
  getBody?: Buffer;
  /** Send the body chunked (Transfer-Encoding) instead of with a Content-Length. */
  chunked?: boolean;
  headers: Record<string, string | string[]>;
  labels: string[];
}

interface Wire {
  method: string;
  target: string;
  headers: Record<string, string | string[]>;
  body: Buffer | undefined;
  chunked?: boolean;
}

const HEX = '0123456789ABCDEF';
/** Percent-encodes like encodeURIComponent, but encodes a lone surrogate as its 3 (invalid UTF-8) bytes instead of throwing. */
function enc(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    let out = '';
    for (const ch of s) {
      const cp = ch.codePointAt(0)!;
      if (cp >= 0xd800 && cp <= 0xdfff) {
        for (const b of [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)]) out += `%${HEX[b >> 4]}${HEX[b & 15]}`;
      } else out += encodeURIComponent(ch);
    }
    return out;
  }
}
const textOf = (v: unknown): string =>
  typeof v === 'string' ? v : v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
const formPart = (p: Param) => p.raw ?? `${enc(p.name)}=${enc(textOf(p.value))}`;
const jsonPart = (p: Param) => p.rawJson ?? `${JSON.stringify(p.name)}:${p.value === undefined ? 'null' : JSON.stringify(p.value)}`;

const DEFAULT_TYPE = { form: 'application/x-www-form-urlencoded', json: 'application/json' } as const;

function toWire(d: Draft): Wire {
  const query = [...d.head, ...(d.carrier === 'query' ? d.params : []), ...d.tail].map(formPart).join('&');
  const headers: Record<string, string | string[]> = { ...d.headers };
  let body: Buffer | undefined;
  if (d.carrier !== 'query') {
    body =
      d.carrier === 'form'
        ? Buffer.from(d.params.map(formPart).join('&'), 'latin1')
        : Buffer.from(`{${d.params.map(jsonPart).join(',')}}`, 'utf8');
    for (const edit of d.bodyEdits) body = edit(body);
    const type = d.contentType === undefined ? DEFAULT_TYPE[d.carrier] : d.contentType;
    if (type !== null) headers['content-type'] = type;
  } else if (d.getBody) {
    body = d.getBody;
    if (d.contentType) headers['content-type'] = d.contentType;
  } else if (d.method === 'POST' || d.method === 'PUT' || d.method === 'PATCH') {
    body = Buffer.alloc(0);
    if (d.contentType) headers['content-type'] = d.contentType;
  }
  return {
    method: d.method,
    target: query === '' ? d.path : `${d.path}?${query}`,
    headers,
    body,
    ...(d.chunked && body?.length ? { chunked: true } : {}),
  };
}

interface Reply {
  status: number;
  type: string;
  location: string | undefined;
  text: string;
}

function send(port: number, agent: http.Agent, w: Wire, retry = true): Promise<Reply> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        agent,
        method: w.method,
        path: w.target,
        headers: { ...w.headers, ...(w.body && !w.chunked ? { 'content-length': String(w.body.length) } : {}) },
      },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            type: String(res.headers['content-type'] ?? ''),
            location: res.headers.location,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (answered) return;
      // A reused keep-alive socket the server had closed, or a body the server stopped reading (413): once more, on a new connection.
      if (retry && (err.code === 'ECONNRESET' || err.code === 'EPIPE'))
        send(port, new http.Agent({ keepAlive: false }), w, false).then(resolve, reject);
      else reject(err);
    });
    if (w.chunked && w.body) {
      // Three chunks, split anywhere (inside a UTF-8 sequence too).
      const a = Math.floor(w.body.length / 3);
      req.write(w.body.subarray(0, a));
      req.write(w.body.subarray(a, 2 * a));
      req.end(w.body.subarray(2 * a));
    } else req.end(w.body);
  });
}

/** What a request looked like, for a problem report. */
function describe(w: Wire): string {
  const show = (s: string) => JSON.stringify(s.length > 400 ? `${s.slice(0, 400)}…(${s.length} chars)` : s);
  const body = w.body === undefined ? '' : ` body(latin1)=${show(w.body.toString('latin1'))}`;
  return `${w.method} ${show(w.target)} headers=${show(JSON.stringify(w.headers))}${w.chunked ? ' (chunked)' : ''}${body}`;
}

// ---------------------------------------------------------------------------------------------
// The model: how the server must read the bytes (weiting.md; a form decoded strictly as UTF-8).

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A form / query string decoded strictly (bad escapes, invalid UTF-8 → undefined); order and repeats kept. */
function decodeForm(text: string): [string, string][] | undefined {
  const out: [string, string][] = [];
  for (const part of text.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    try {
      const dec = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
      out.push([dec(eq === -1 ? part : part.slice(0, eq)), dec(eq === -1 ? '' : part.slice(eq + 1))]);
    } catch {
      return undefined;
    }
  }
  return out;
}

/** The query's parameters, the first of each name; undefined when it cannot be read. */
function queryOf(target: string): Record<string, string> | undefined {
  const q = target.indexOf('?');
  const pairs = decodeForm(q === -1 ? '' : target.slice(q + 1));
  if (!pairs) return undefined;
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [n, v] of pairs) if (!(n in out)) out[n] = v;
  return out;
}

/** How the Content-Types the fuzz sends are read (the body parsers of the front kit). */
type TypeClass = 'json' | 'form' | 'other' | 'broken';
const CONTENT_TYPES: Record<string, TypeClass> = {
  'application/json': 'json',
  'application/json; charset=utf-8': 'json',
  'application/json;charset=UTF-8': 'json',
  'APPLICATION/JSON': 'json',
  'application/json; charset=gbk': 'json',
  'application/x-www-form-urlencoded': 'form',
  'application/x-www-form-urlencoded; charset=UTF-8': 'form',
  'Application/X-WWW-Form-Urlencoded': 'form',
  'text/plain': 'other',
  'text/plain; charset=utf-8': 'other',
  'application/xml': 'other',
  'text/xml': 'other',
  'multipart/form-data; boundary=x': 'other',
  'application/octet-stream': 'other',
  'text/json': 'other',
  'application/jsonp': 'other',
  'application/x-www-form-urlencoded2': 'other',
  'application/json-patch+json': 'other',
  '': 'broken',
  '/': 'broken',
};

type BodyView = { kind: 'none' } | { kind: 'invalid' } | { kind: 'form'; pairs: [string, string][] } | { kind: 'json'; value: unknown };

function bodyView(type: string | undefined, body: Buffer): BodyView | 'refused' {
  const cls: TypeClass = type === undefined ? 'other' : (CONTENT_TYPES[type] ?? 'other');
  if (cls === 'broken') return 'refused';
  if (cls === 'other') return body.length === 0 ? { kind: 'none' } : { kind: 'invalid' };
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return body.length === 0 ? { kind: 'none' } : { kind: 'invalid' };
  }
  if (cls === 'form') {
    const pairs = decodeForm(text);
    return pairs ? { kind: 'form', pairs } : { kind: 'invalid' };
  }
  if (body.length === 0) return { kind: 'none' };
  try {
    return { kind: 'json', value: JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) as unknown };
  } catch {
    return { kind: 'invalid' };
  }
}

/** A POST's parameters (weiting.md: form fields or one flat JSON object, then the query's for names the body lacks); undefined when refused. */
function postFields(body: BodyView, query: Record<string, string>): Record<string, string> | undefined {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  if (body.kind === 'invalid') return undefined;
  if (body.kind === 'form') {
    for (const [n, v] of body.pairs) {
      if (n in out && out[n] !== v) return undefined;
      out[n] = v;
    }
  } else if (body.kind === 'json') {
    const v = body.value;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    for (const [n, x] of Object.entries(v as Record<string, unknown>)) {
      if (x === null || x === undefined) continue;
      if (typeof x === 'object') return undefined;
      out[n] = String(x);
    }
  }
  for (const [n, v] of Object.entries(query)) if (n !== 'access_token' && !(n in out)) out[n] = v;
  return out;
}

const OPENID = /^[A-Za-z0-9_-]{6,64}$/;
const DEVICENO = /^\d{7,20}$/;
/** weiting.md: `url` must be http(s); written here as: no whitespace or control characters, whole Unicode, a host. */
function httpUrl(text: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this pattern is for
  if (!/^https?:\/\/[^\x00-\x20\x7f]+$/.test(text) || /\p{Cs}/u.test(text)) return false;
  try {
    return new URL(text).hostname !== '';
  } catch {
    return false;
  }
}
/** `yyyy-MM-dd` or `yyyy-MM-dd HH:mm:ss` naming a real day and time. */
function realDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2}))?$/.exec(text);
  if (!m) return false;
  const [y, mo, d, h = 0, mi = 0, s = 0] = m.slice(1).map((v) => (v === undefined ? 0 : Number(v)));
  const t = new Date(Date.UTC(y!, mo! - 1, d!, h, mi, s));
  return (
    t.getUTCFullYear() === y &&
    t.getUTCMonth() === mo! - 1 &&
    t.getUTCDate() === d &&
    t.getUTCHours() === h &&
    t.getUTCMinutes() === mi &&
    t.getUTCSeconds() === s &&
    y! >= 1
  );
}
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,128}$/;
/** An Idempotency-Key reused with another request (409 in the endpoint's shape). */
const KEY_REUSED = 'Idempotency-Key 已用于另一个不同的请求';
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this pattern is for
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;
/** What a keyed request asked, as the server compares it: its fields by name. */
const fingerprint = (fields: Record<string, string | undefined>) =>
  JSON.stringify(
    Object.entries(fields)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );
const required = (f: Record<string, string>, n: string, max: number) => f[n] !== undefined && f[n]!.trim() !== '' && f[n]!.length <= max;
const optionalOk = (f: Record<string, string>, n: string, max: number) => f[n] === undefined || f[n] === '' || f[n]!.length <= max;
const optionalValue = (f: Record<string, string>, n: string) => (f[n] === undefined || f[n] === '' ? undefined : f[n]);

type AppName = 'main' | 'other';
type Expectation =
  /** Refused by the HTTP layer or the router before the endpoint: `{status: 0, errMsg}` with a 4xx. */
  | { kind: 'refused' }
  /** The universal token refusal. */
  | { kind: 'token' }
  /** The endpoint's own answer: `accept` says whether the request is accepted; `check` looks at the reply (a problem, or undefined); `commit` updates the model. */
  | {
      kind: 'answer';
      accept: boolean | 'either';
      check: (r: Reply, body: Json | undefined) => string | undefined;
      commit?: (r: Reply, body: Json | undefined) => Promise<void> | void;
      why: string;
      /** An HTTP-layer or token refusal is fine too. */
      refusalOk?: boolean;
    };

// ---------------------------------------------------------------------------------------------
// Reply shapes (weiting.md).

const CAP_KEYS = ['TransactionID', 'ActionCode', 'RspTime', 'Response'];
const USER_KEYS = ['_id', 'openid', 'nickname', 'headimg', '__v', 'updateAt', 'createAt', 'accounts'];
const ACCOUNT_KEYS = ['deviceno', 'devicename', 'bindtime', 'bindtdate', 'bpn', 'sort'];
const keysOf = (b: Json) => Object.keys(b).join(',');

/** The documented shape a reply has, or undefined. */
function shapeOf(ep: EpName, r: Reply, b: Json | undefined): string | undefined {
  if (ep === 'wxcode' && r.status === 302) return r.location ? 'redirect' : undefined;
  // (The one 5xx weiting.md names: WeChat refusing the login, on the person's browser.)
  if (ep === 'wxcode' && (r.status === 400 || r.status === 502) && /^text\/html/.test(r.type)) return `page-${r.status}`;
  if (r.status >= 500) return undefined;
  if (b === undefined || !/^application\/json/.test(r.type)) return undefined;
  if (keysOf(b) === 'status,errMsg' && b.status === 0 && typeof b.errMsg === 'string' && b.errMsg !== '') {
    if (r.status >= 400 && r.status < 500) return `refused-${r.status}`;
    if (r.status === 200 && ep !== 'token' && ep !== 'wxcode' && b.errMsg === TOKEN_REFUSED.errMsg) return 'token-refused';
    return undefined;
  }
  if (r.status !== 200) return undefined;
  const is = (keys: string, o: Record<string, unknown>) =>
    keysOf(b) === keys &&
    Object.entries(o).every(([k, v]) => (typeof v === 'function' ? (v as (x: unknown) => boolean)(b[k]) : b[k] === v));
  const str = (x: unknown) => typeof x === 'string';
  switch (ep) {
    case 'token':
      if (is('data,status,info', { data: (x: unknown) => typeof x === 'string' && /^[A-Za-z0-9_=-]{32,}$/.test(x), status: 200, info: 0 }))
        return 'ok';
      if (is('status,errMsg', { status: 40001, errMsg: 'appid 或 secret 错误' })) return 'wrong';
      // Slowed after repeated wrong secrets from one address (the same status, saying why).
      if (is('status,errMsg', { status: 40001, errMsg: 'appid 或 secret 错误次数过多，请 1 分钟后再试' })) return 'slowed';
      if (is('status,errMsg', { status: 45009, errMsg: 'access_token 今日获取次数已达上限' })) return 'limit';
      return undefined;
    case 'getBaseUrl':
      if (is('status,redirect', { status: 200, redirect: str })) return 'ok';
      if (is('status,errMsg', { status: 40002, errMsg: 'state 地址不合法' })) return 'bad-state';
      return undefined;
    case 'getOpenidByCode':
      if (is('status,openid', { status: 200, openid: str })) return 'ok';
      if (is('status,errMsg', { status: 40005, errMsg: 'code 已过期' })) return 'expired';
      return undefined;
    case 'userInfo':
      if (is('result,flag', { result: null, flag: 1 })) return 'unknown';
      if (is('result,flag,errMsg', { result: null, flag: 1, errMsg: str })) return 'invalid';
      if (
        is('result,flag', { flag: 0 }) &&
        typeof b.result === 'object' &&
        b.result !== null &&
        keysOf(b.result) === USER_KEYS.join(',') &&
        Array.isArray(b.result.accounts)
      ) {
        return (b.result.accounts as Json[]).every((a) => keysOf(a) === ACCOUNT_KEYS.join(',')) ? 'ok' : undefined;
      }
      return undefined;
    case 'notice':
      if (is('status,result', { status: 200, result: '发送成功' })) return 'sent';
      if (is('status,result', { status: 0, result: '发送失败' })) return 'failed';
      if (is('status,result,errMsg', { status: 0, result: '发送失败', errMsg: str })) return 'invalid';
      if (is('status,errMsg', { status: 40005, errMsg: '推送接口异常' })) return 'down';
      if (is('status,errMsg', { status: 409, errMsg: KEY_REUSED })) return 'conflict';
      return undefined;
    case 'weekBind':
    case 'flowOrders':
      if (is('data,status,info', { data: str, status: 200, info: 0 })) return 'ok';
      if (is('data,status,info', { data: KEY_REUSED, status: 409, info: 0 })) return 'conflict';
      // 接口异常 is the internal failure: never the answer to a malformed request.
      if (
        is('data,status,info', {
          data: (x: unknown) => typeof x === 'string' && x !== '' && x !== '接口异常，请稍后再试',
          status: 0,
          info: 0,
        })
      )
        return 'invalid';
      return undefined;
    case 'ticket': {
      if (keysOf(b) === 'errcode,data' && b.errcode === 1 && keysOf(b.data ?? {}) === 'mobile' && b.data.mobile === 'ticket必须给出')
        return 'missing';
      if (keysOf(b) === 'errcode,data' && b.errcode === 0 && keysOf(b.data ?? {}) === 'mobile' && str(b.data.mobile)) return 'ok';
      if (keysOf(b) === 'errcode,data,msg' && b.errcode === 1 && b.data === '手机号码获取异常') {
        const h = b.msg?.CAPRoot?.SessionHeader?.[0];
        const rsp = h?.Response?.[0];
        if (
          keysOf(b.msg) === 'CAPRoot' &&
          keysOf(b.msg.CAPRoot) === 'SessionHeader' &&
          h &&
          keysOf(h) === CAP_KEYS.join(',') &&
          rsp &&
          typeof rsp.RspDesc?.[0] === 'string'
        )
          return 'no-mobile';
      }
      return undefined;
    }
    case 'wxcode':
      return undefined;
  }
}

/** Whether a shape means the request was accepted (did what it asks). */
const ACCEPTED: Record<string, boolean> = { ok: true, sent: true, failed: true, down: true, redirect: true };

// ---------------------------------------------------------------------------------------------
// Values.

const EXTRA_NAMES = [
  'x',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '',
  '中文',
  'a[b]',
  'openid[]',
  'callback',
  'access_token',
  '_',
  'sign',
  'appid',
  'x'.repeat(300),
  ' openid',
  'OPENID',
  'openid ',
];
const CONTROL = [
  '\u0000',
  '\u0001',
  '\u0007',
  '\b',
  '\t',
  '\n',
  '\r',
  '\r\n',
  '\u001b',
  '\u001f',
  '\u007f',
  '\u0085',
  '\u00a0',
  '\u2028',
  '\u2029',
  '\ufeff',
  '\ufffe',
  '\uffff',
  '\ud800',
  '\udfff',
  '\u200b',
  '\u202e',
];
const BAD_PERCENT = [
  '%',
  '%z',
  '%zz',
  '%g0',
  '%ff',
  '%FE',
  '%c3%28',
  '%e4%b8',
  '%ed%a0%80',
  '%c0%af',
  '%f8%88%80%80%80',
  '%%',
  '%2',
  '%u4e2d',
  '%80',
];
const NON_UTF8 = ['\u00ff', '\u00fe\u00ff', '\u00c3\u0028', '\u00e4\u00b8', '\u00ed\u00a0\u0080', '\u0080', '\u00c0\u00af'];
const ODD_TYPES: unknown[] = [
  true,
  false,
  0,
  -1,
  1.5,
  -0,
  1e308,
  1e21,
  null,
  [],
  {},
  [1, 'a'],
  { a: { b: 1 } },
  '',
  ' ',
  12345678,
  17717463317,
  // biome-ignore lint/correctness/noPrecisionLoss: a number too large for a double is the case under test
  123456789012345678901234567890,
];
const TEXTS = [
  '恭喜您中奖',
  '双十一抽奖',
  '1GB 流量',
  'plain',
  'emoji 😀🎉',
  'e\u0301',
  'a&b=c',
  '100% sure',
  'a+b',
  '<script>alert(1)</script>',
  "'; DROP TABLE users;--",
  ' spaced ',
  '\u200b',
  'ＦＵＬＬ',
  '𠀀𪚥',
  'x'.repeat(128),
  '{"a":1}',
  'null',
  '%41',
];
const BAD_URLS = [
  'javascript:alert(1)',
  'JavaScript://partner.example.com/%0Aalert(1)',
  '//partner.example.com/back',
  '//evil.com/x',
  'data:text/html,<script>alert(1)</script>',
  'data:text/html;base64,PHNjcmlwdD4=',
  'ftp://partner.example.com/x',
  'file:///etc/passwd',
  'mailto:a@partner.example.com',
  'vbscript:msgbox(1)',
  'https://evil.com/',
  'https://partner.example.com@evil.com/',
  'https://evil.com#@partner.example.com',
  'https://evil.com\\@partner.example.com',
  'https://partner.example.com\\@evil.com',
  'https://partner.example.com.evil.com/',
  'https://user:pw@partner.example.com/',
  'https://:@partner.example.com/',
  'https://example.org/',
  'https://.example.org/',
  'https://a.example.org:8443/',
  'https://partner.example.com:443/',
  'http://partner.example.com:80/ok',
  'https://PARTNER.EXAMPLE.COM/Up',
  '  https://partner.example.com/lead',
  'https:partner.example.com/noslash',
  'https:/partner.example.com/oneslash',
  'https:///partner.example.com/threeslash',
  'http://[::1]/',
  'http://0x7f.1/',
  'http://127.0.0.1/',
  'https://раrtner.example.com/',
  'https://xn--partner-9ua.example.com/',
  'https://partner.example.com/%0d%0aSet-Cookie:x',
  'https://partner.example.com/\u0000',
  'https://partner.example.com/ space',
  'https://partner.example.com\u0000.evil.com/',
  'https://partner.example.com\t/tab',
  'https://a.example.org/?u=javascript:alert(1)',
  'http://',
  'https://',
  '/relative/path',
  'partner.example.com/x',
  '',
  ' ',
];
const WEIRD_DEVICENOS: unknown[] = [
  '',
  '123456',
  '1234567',
  '1'.repeat(20),
  '1'.repeat(21),
  '١٢٣٤٥٦٧٨',
  '１７７１７４６３３１７',
  '+8617717463317',
  ' 17717463317',
  '17717463317 ',
  '17717463317\n',
  '1771746331x',
  '-17717463317',
  '1.7717463317',
  '0x17717463317',
  '17717463317'.repeat(3),
  17717463317,
  1e10,
  1e21,
  -1,
  0,
];
const WEIRD_OPENIDS: unknown[] = [
  '',
  'abc',
  'abcde',
  'abcdef',
  'o'.repeat(64),
  'o'.repeat(65),
  'o<script>',
  'o\u0000pen1d',
  '../../etc/passwd',
  'oPen id01',
  'oOpenid中文',
  'OPENID_-_-',
  '------',
  '______',
  'o\npenid',
  '%6FPenid1',
  12345678,
  1234567890123,
  true,
  'null',
  'undefined',
  '__proto__',
  'constructor',
];
const WEIRD_DATES: unknown[] = [
  '',
  '2026-03-01',
  '2026-03-01 12:00:00',
  '2026/03/01',
  '2026-3-1',
  '26-03-01',
  '2026-03-01T12:00:00',
  '2026-03-01 12:00',
  '2026-03-01  12:00:00',
  ' 2026-03-01',
  '2026-13-45',
  '2026-02-30 25:61:61',
  '0000-00-00',
  '9999-99-99 99:99:99',
  '２０２６-03-01',
  '2026-03-01\n',
  'yesterday',
  20260301,
  1772366400000,
  true,
];
const ALNUM = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'];
const WEIRD_TOKENS = ['', ' ', 'null', 'x'.repeat(600), '😀', '%', 'a b'];

// ---------------------------------------------------------------------------------------------

test(`weiting fuzz: ${CASES} malformed requests to every /service/ endpoint, seed ${SEED} (sqlite)`, async (t) => {
  const startedAt = Date.now();
  const f = await weitingFixture('sqlite');
  t.after(() => f.close());
  const port = Number(new URL(f.s.url).port);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  t.after(() => agent.destroy());
  const rand = rng(SEED);
  const int = (n: number) => Math.floor(rand() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const chance = (p: number) => rand() < p;
  const alnum = (n: number) => Array.from({ length: n }, () => pick(ALNUM)).join('');
  const digits = (n: number) => Array.from({ length: n }, () => String(int(10))).join('');
  const serverHost = new URL(f.s.url).host;

  // The apps: the fixture's ("main"), another with its own allowed host, and a disabled one.
  const other = (await f.s.admin('/weiting/apps', { body: { name: 'other', allowedHosts: ['other.example.net'] } })).body as {
    appid: string;
    secret: string;
  };
  const gone = (await f.s.admin('/weiting/apps', { body: { name: 'gone' } })).body as { appid: string; secret: string };
  const apps: Record<AppName, { appid: string; secret: string; hosts: string[] }> = {
    main: { appid: f.appid, secret: f.secret, hosts: [serverHost, 'partner.example.com', '*.example.org'] },
    other: { appid: other.appid, secret: other.secret, hosts: ['other.example.net'] },
  };
  const tokens = new Map<string, AppName>();
  const current: Record<AppName, string> = { main: await f.token(), other: await f.token(other.appid, other.secret) };
  tokens.set(current.main, 'main');
  tokens.set(current.other, 'other');
  const goneToken = await f.token(gone.appid, gone.secret);
  assert.equal((await f.s.admin(`/weiting/apps/${gone.appid}/disable`, { method: 'POST' })).status, 200);

  // What the fuzz holds and expects.
  const states = new Map<string, { app: AppName; partner: string; redirect: string }>();
  const sandboxCodes = new Map<string, { user: string; used: boolean }>();
  const platformCodes = new Map<string, { app: AppName; openid: string; used: boolean }>();
  const tickets = new Map<string, { mobile: string; used: boolean }>();
  const users = new Map<string, Set<string>>();
  const noticeCounts = new Map<string, number>();
  /** Wrong secrets (or unknown appids) asked per appid, all from this address. */
  const tokenFailures = new Map<string, number>();
  const noticeKeys = new Map<string, { answer: Json; asked: string }>();
  const orderKeys = new Map<string, { orderNo: string; asked: string }>();
  const expectedMessages: { touser: string; first: string; activity: string; prize: string; remark: string; url: string | null }[] = [];
  const orders = new Map<string, Record<string, string>>();
  let acceptedNotices = 0;
  let loginReports = 0;
  const refusedOpenids = new Set<string>();
  let timeouts = 0;

  const problems: string[] = [];
  const problemKinds = new Map<string, number>();
  const signatures = new Map<string, number>();
  const problem = (kind: string, text: string, signature?: string) => {
    if (signature) signatures.set(`${kind} ⇒ ${signature}`, (signatures.get(`${kind} ⇒ ${signature}`) ?? 0) + 1);
    problemKinds.set(kind, (problemKinds.get(kind) ?? 0) + 1);
    if ((problemKinds.get(kind) ?? 0) <= Number(process.env.FUZZ_SHOW ?? 3)) problems.push(`[${kind}] ${text}`);
  };
  const tally = new Map<string, number>();
  const count = (k: string) => tally.set(k, (tally.get(k) ?? 0) + 1);

  // ---- valid bases ----------------------------------------------------------------------------

  const validState = (app: AppName, n: number) =>
    app === 'other'
      ? `https://other.example.net/back?n=${n}`
      : pick([
          `${f.s.url}/sandbox/partner?from=fuzz&n=${n}`,
          `https://partner.example.com/cb?x=${n}#frag-${n}`,
          `http://shop.example.org/p/${n}?q=中文`,
          `https://a.b.example.org/${n}`,
        ]);
  const freeText = () => pick(TEXTS);
  const mobile = () => `1${pick(['3', '5', '7', '8', '9'])}${digits(9)}`;

  async function issueTicket(): Promise<string> {
    const m = mobile();
    const r = await f.s.admin('/weiting/tickets', { body: { mobile: m } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    tickets.set(r.body.ticket as string, { mobile: m, used: false });
    return r.body.ticket as string;
  }

  /** A sandbox WeChat code for a live login state's authorize page, approving as `user`. */
  async function sandboxCode(redirect: string, user: string): Promise<string> {
    const authorize = new URL(redirect);
    authorize.hash = '';
    authorize.searchParams.set('sandbox_user', user);
    const res = await fetch(authorize, { redirect: 'manual' });
    assert.equal(res.status, 302, `the sandbox authorize page answered ${res.status}`);
    const code = new URL(res.headers.get('location')!).searchParams.get('code')!;
    sandboxCodes.set(code, { user, used: false });
    return code;
  }

  function base(ep: EpName, i: number): Draft {
    const spec = ENDPOINTS[ep];
    const carrier = spec.method === 'GET' ? 'query' : pick(['form', 'form', 'json', 'json', 'query'] as const);
    const app: AppName = chance(0.1) ? 'other' : 'main';
    const d: Draft = {
      ep,
      method: spec.method,
      path: spec.path,
      head: [],
      carrier,
      params: [],
      tail: [],
      bodyEdits: [],
      headers: {},
      labels: [carrier],
    };
    if (ep !== 'token' && ep !== 'wxcode') d.head.push({ name: 'access_token', value: current[app] });
    const add = (name: string, value: unknown) => d.params.push({ name, value });
    const openid = () => `oFz${i}x${alnum(int(20) + 4)}`;
    switch (ep) {
      case 'token': {
        const who = chance(0.15) ? 'other' : 'main';
        add('appid', apps[who].appid);
        add('secret', apps[who].secret);
        break;
      }
      case 'getBaseUrl':
        add('state', validState(app, i));
        break;
      case 'getOpenidByCode': {
        const live = [...platformCodes].filter(([, c]) => !c.used && c.app === app);
        add(
          'code',
          live.length && chance(0.7) ? live[int(live.length)]![0] : pick([alnum(32), Buffer.from(alnum(24)).toString('base64'), 'x']),
        );
        break;
      }
      case 'userInfo': {
        const known = [...users.keys()];
        add('openid', known.length && chance(0.6) ? known[int(known.length)]! : openid());
        break;
      }
      case 'notice': {
        let o = openid();
        if (chance(0.08)) o = pick(['unsubscribed_', 'invalid_', 'limited_', 'garbage_']) + alnum(8);
        else if (timeouts < 2 && chance(0.005)) o = `timeout_${alnum(8)}`;
        add('openid', o);
        add('first', freeText());
        add('activity', freeText());
        add('prize', freeText());
        add('remark', freeText());
        if (chance(0.5))
          add('url', pick(['https://partner.example.com/prize', `http://a.example.org/p?i=${i}`, 'https://example.com/中文?a=1&b=2#x']));
        break;
      }
      case 'weekBind':
      case 'flowOrders': {
        const known = [...users.keys()].filter((u) => OPENID.test(u));
        add('openid', known.length && chance(0.3) ? known[int(known.length)]! : openid());
        add('deviceno', digits(7 + int(14)));
        if (ep === 'flowOrders') add('traffic_package_name', pick(['1GB 日包', '10GB', 'x', '流量包 😀']));
        if (ep === 'flowOrders' && chance(0.6)) add('transaction_date', chance(0.5) ? '2026-03-01' : '2026-03-01 12:34:56');
        add('channel', chance(0.7) ? '1' : freeText());
        add('from', chance(0.7) ? 'love flow' : freeText());
        for (const n of ['operators', 'qcellcore']) if (chance(0.5)) add(n, n === 'operators' ? '电信' : freeText());
        break;
      }
      case 'ticket':
        add('ticket', pick([alnum(43), 'no-such-ticket', Buffer.from(alnum(10)).toString('base64'), '0']));
        break;
      case 'wxcode':
        add('code', alnum(32));
        add('state', pick([alnum(32), alnum(8), '1']));
        break;
    }
    return d;
  }

  // ---- mutations ----------------------------------------------------------------------------

  const someParam = (d: Draft) => d.params[int(d.params.length)]!;
  const setValue = (d: Draft, name: string, value: unknown) => {
    const hit = d.params.filter((p) => p.name === name);
    if (hit.length === 0) d.params.push({ name, value });
    for (const p of hit) {
      p.value = value;
      delete p.raw;
      delete p.rawJson;
    }
  };
  const maxOf: Record<string, number> = {
    openid: 64,
    deviceno: 20,
    first: 200,
    activity: 200,
    prize: 200,
    remark: 200,
    url: 1024,
    operators: 128,
    qcellcore: 128,
    channel: 128,
    from: 128,
    traffic_package_name: 128,
    transaction_date: 128,
  };
  const isPost = (d: Draft) => d.carrier !== 'query';

  const MUTATIONS: { name: string; applies: (d: Draft) => boolean; run: (d: Draft) => void }[] = [
    {
      name: 'a parameter dropped',
      applies: (d) => d.params.length > 0,
      run: (d) => {
        const n = someParam(d).name;
        d.params = d.params.filter((p) => p.name !== n);
      },
    },
    {
      name: 'an extra parameter',
      applies: () => true,
      run: (d) => {
        const value = d.carrier === 'json' && chance(0.4) ? pick(ODD_TYPES) : pick([...TEXTS, ...CONTROL, 'x'.repeat(3000)]);
        d.params.splice(int(d.params.length + 1), 0, { name: pick(EXTRA_NAMES), value });
      },
    },
    {
      name: 'a parameter twice, same value',
      applies: (d) => d.params.length > 0,
      run: (d) => {
        const p = someParam(d);
        d.params.splice(int(d.params.length + 1), 0, { ...p });
      },
    },
    {
      name: 'a parameter twice, different values',
      applies: (d) => d.params.length > 0,
      run: (d) => {
        const p = someParam(d);
        const at = d.params.indexOf(p) + (chance(0.5) ? 1 : 0);
        d.params.splice(at, 0, { name: p.name, value: pick([`${textOf(p.value)}2`, '', 'other', ...WEIRD_OPENIDS.slice(0, 3)]) });
      },
    },
    {
      name: 'a huge value',
      applies: (d) => d.params.length > 0,
      run: (d) => {
        const p = someParam(d);
        const limit = maxOf[p.name] ?? 100;
        const size = pick([limit + 1, 3000, d.carrier === 'query' ? 20_000 : 70_000]);
        const unit = p.name === 'deviceno' ? '1' : p.name === 'openid' ? 'o' : pick(['x', '中', '😀']);
        p.value = unit.repeat(Math.ceil(size / unit.length));
        delete p.raw;
        delete p.rawJson;
      },
    },
    {
      name: 'a control character',
      applies: (d) => d.params.length > 0,
      run: (d) => {
        const p = someParam(d);
        const s = textOf(p.value);
        const at = int(s.length + 1);
        p.value = s.slice(0, at) + pick(CONTROL) + s.slice(at);
        delete p.raw;
        delete p.rawJson;
      },
    },
    {
      name: 'a broken percent-escape',
      applies: (d) => d.params.length > 0,
      run: (d) => {
        const p = someParam(d);
        if (d.carrier === 'json') {
          p.value = textOf(p.value) + pick(BAD_PERCENT);
          return;
        }
        p.raw = chance(0.8)
          ? `${enc(p.name)}=${enc(textOf(p.value))}${pick(BAD_PERCENT)}`
          : `${enc(p.name)}${pick(BAD_PERCENT)}=${enc(textOf(p.value))}`;
      },
    },
    {
      name: 'bytes that are not UTF-8',
      applies: (d) => d.params.length > 0,
      run: (d) => {
        const p = someParam(d);
        const bad = pick(NON_UTF8);
        if (d.carrier === 'json') {
          const where = rand();
          d.bodyEdits.push((b) => {
            const at = 1 + Math.floor(where * Math.max(1, b.length - 1));
            return Buffer.concat([b.subarray(0, at), Buffer.from(bad, 'latin1'), b.subarray(at)]);
          });
          return;
        }
        p.raw = `${enc(p.name)}=${enc(textOf(p.value))}${bad}`;
      },
    },
    {
      name: 'a number, boolean, null, array or object as a value',
      applies: (d) => d.carrier === 'json' && d.params.length > 0,
      run: (d) => {
        const p = someParam(d);
        p.value = pick(ODD_TYPES);
        delete p.rawJson;
      },
    },
    {
      name: 'another Content-Type',
      applies: (d) => isPost(d),
      run: (d) => {
        d.contentType = chance(0.1) ? null : pick(Object.keys(CONTENT_TYPES));
      },
    },
    {
      name: 'a body on a GET',
      applies: (d) => d.method === 'GET',
      run: (d) => {
        d.getBody = Buffer.from(pick(['{"openid":"x"}', 'openid=x&ticket=y', '\u00ff\u00fe', '', '{']), 'latin1');
        d.contentType = pick(['application/json', 'application/x-www-form-urlencoded', 'text/plain']);
      },
    },
    {
      name: 'an empty body',
      applies: (d) => isPost(d),
      run: (d) => {
        d.bodyEdits.push(() => Buffer.alloc(0));
      },
    },
    {
      name: 'the wrong method',
      applies: () => true,
      run: (d) => {
        d.method = pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'].filter((m) => m !== ENDPOINTS[d.ep].method));
      },
    },
    {
      name: 'another path',
      applies: () => true,
      run: (d) => {
        const p = d.path;
        d.path = pick([
          `${p}/`,
          `/service/${p.slice(9).toUpperCase()}`,
          p.replace('/service/', '/service//'),
          `${p}/x`,
          `${p};x`,
          `${p}.json`,
          p.replace('/service/', '/service/./'),
          p.replace(/\/([^/]+)$/, '/%2F$1'),
          `${p}%00`,
          `${p}%2e`,
        ]);
      },
    },
    {
      name: 'a broken or odd JSON body',
      applies: (d) => d.carrier === 'json',
      run: (d) => {
        const how = int(11);
        const cut = rand();
        const scalar = pick(['1', '"s"', 'null', 'true', '[]', '""', '0']);
        d.bodyEdits.push((b) => {
          const s = b.toString('utf8');
          switch (how) {
            case 0:
              return Buffer.from(`[${s}]`);
            case 1:
              return Buffer.from(scalar);
            case 2:
              return Buffer.from(s.slice(0, Math.floor(cut * s.length)));
            case 3:
              return Buffer.from(`${s.slice(0, -1)}${s.length > 2 ? ',' : ''}"deep":${'['.repeat(2000)}${']'.repeat(2000)}}`);
            case 4:
              return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), b]);
            case 5:
              return Buffer.from(`\n\t ${s} \r\n`);
            case 6:
              return Buffer.from(`${s}x`);
            case 7:
              return Buffer.from(s.replace(/"/g, "'"));
            case 8:
              return Buffer.from(`${s.slice(0, -1)}${s.length > 2 ? ',' : ''}"n":NaN}`);
            case 9:
              return Buffer.from(`/* c */${s}`);
            default:
              return Buffer.from(`${s}${s}`);
          }
        });
      },
    },
    {
      name: 'an Idempotency-Key',
      applies: () => true,
      run: (d) => {
        d.headers['idempotency-key'] = pick<string | string[]>([
          `k-${alnum(16)}`,
          'x'.repeat(129),
          'y'.repeat(5000),
          'Ã©tÃ©',
          '\u00ff\u00fe',
          'has space',
          '',
          '中文'.replace(/./g, (c) => Buffer.from(c).toString('latin1')),
          [`a-${alnum(8)}`, `b-${alnum(8)}`],
          ['same', 'same'],
          `"${alnum(8)}"`,
        ]);
      },
    },
    {
      name: 'an odd URL as state or url',
      applies: (d) => d.ep === 'getBaseUrl' || d.ep === 'notice',
      run: (d) => setValue(d, d.ep === 'getBaseUrl' ? 'state' : 'url', pick(BAD_URLS)),
    },
    {
      name: 'an odd deviceno',
      applies: (d) => d.ep === 'weekBind' || d.ep === 'flowOrders',
      run: (d) => setValue(d, 'deviceno', d.carrier === 'json' ? pick(WEIRD_DEVICENOS) : textOf(pick(WEIRD_DEVICENOS))),
    },
    {
      name: 'an odd openid',
      applies: (d) => ['notice', 'weekBind', 'flowOrders', 'userInfo'].includes(d.ep),
      run: (d) => setValue(d, 'openid', d.carrier === 'json' ? pick(WEIRD_OPENIDS) : textOf(pick(WEIRD_OPENIDS))),
    },
    {
      name: 'an odd transaction_date',
      applies: (d) => d.ep === 'flowOrders',
      run: (d) => setValue(d, 'transaction_date', d.carrier === 'json' ? pick(WEIRD_DATES) : textOf(pick(WEIRD_DATES))),
    },
    {
      name: 'a parameter (also) in the query',
      applies: (d) => isPost(d) && d.params.length > 0,
      run: (d) => {
        const p = someParam(d);
        if (chance(0.5)) d.params = d.params.filter((x) => x !== p);
        d.tail.push({ name: p.name, value: chance(0.5) ? textOf(p.value) : 'from-the-query' });
      },
    },
    {
      name: 'junk in the query',
      applies: () => true,
      run: (d) => {
        d.tail.push({
          name: '',
          value: '',
          raw: pick([
            '&&',
            '=',
            '==',
            'a',
            '=x',
            '%',
            '%zz=1',
            'a=%ff',
            'a=%E4%B8',
            '?',
            'a=b=c',
            '+=+',
            `x=${'q'.repeat(20_000)}`,
            'a=\u00ff',
          ]),
        });
      },
    },
    {
      name: 'a chunked body',
      applies: (d) => isPost(d),
      run: (d) => {
        d.chunked = true;
      },
    },
    {
      name: "spaces as '+'",
      applies: (d) => d.carrier !== 'json' && d.params.length > 0,
      run: (d) => {
        for (const p of d.params) p.raw = formPart(p).replace(/%20/g, '+');
      },
    },
    {
      name: 'many parameters',
      applies: () => true,
      run: (d) => {
        const n = pick([100, 1500]);
        for (let k = 0; k < n; k++) d.params.splice(int(d.params.length + 1), 0, { name: `p${k}`, value: String(k) });
      },
    },
    {
      name: 'an odd ticket or code',
      applies: (d) => ['ticket', 'getOpenidByCode', 'wxcode'].includes(d.ep),
      run: (d) =>
        setValue(
          d,
          d.ep === 'ticket' ? 'ticket' : pick(d.ep === 'wxcode' ? ['code', 'state'] : ['code']),
          pick(['', ' ', '0', 'null', 'x'.repeat(513), 'x'.repeat(3000), '../..', '中文', '\u0000', 'a b', '%00', "' OR 1=1 --"]),
        ),
    },
  ];

  const TOKEN_VARIANTS: { name: string; run: (d: Draft) => void }[] = [
    { name: 'no token', run: (d) => (d.head = []) },
    { name: 'an empty token', run: (d) => (d.head = [{ name: 'access_token', value: '' }]) },
    { name: 'a random token', run: (d) => (d.head = [{ name: 'access_token', value: alnum(43) }]) },
    { name: 'an odd token', run: (d) => (d.head = [{ name: 'access_token', value: pick(WEIRD_TOKENS) }]) },
    { name: 'the token and one more character', run: (d) => (d.head = [{ name: 'access_token', value: `${current.main}x` }]) },
    { name: 'the token less its last character', run: (d) => (d.head = [{ name: 'access_token', value: current.main.slice(0, -1) }]) },
    { name: 'the token under ACCESS_TOKEN', run: (d) => (d.head = [{ name: 'ACCESS_TOKEN', value: current.main }]) },
    {
      name: 'a junk token, then the token',
      run: (d) =>
        (d.head = [
          { name: 'access_token', value: 'junk' },
          { name: 'access_token', value: current.main },
        ]),
    },
    {
      name: 'the token, then a junk one',
      run: (d) =>
        (d.head = [
          { name: 'access_token', value: current.main },
          { name: 'access_token', value: 'junk' },
        ]),
    },
    {
      name: 'the token percent-encoded',
      run: (d) =>
        (d.head = [
          {
            name: 'access_token',
            value: current.main,
            raw: `access_token=${[...current.main].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('')}`,
          },
        ]),
    },
    { name: 'the token, and a broken escape', run: (d) => d.head.push({ name: '', value: '', raw: 'x=%zz' }) },
    { name: "a disabled app's token", run: (d) => (d.head = [{ name: 'access_token', value: goneToken }]) },
    { name: 'the token after a space', run: (d) => (d.head = [{ name: 'access_token', value: ` ${current.main}` }]) },
    {
      name: 'the token in the body',
      run: (d) => {
        d.head = [];
        d.params.push({ name: 'access_token', value: current.main });
      },
    },
  ];

  // ---- the model's expectation of one request --------------------------------------------------

  function expectation(d: Draft, w: Wire): Expectation {
    const spec = ENDPOINTS[d.ep];
    // The HTTP layer and the router.
    if (/[^\x21-\x7e]/.test(w.target) || w.target.length > HEADER_LIMIT - 200) return { kind: 'refused' };
    const headerBytes = Object.entries(w.headers).reduce((n, [k, v]) => n + k.length + textOf(v).length + 4, 0);
    if (w.target.length + headerBytes > HEADER_LIMIT - 200) return { kind: 'refused' };
    if (d.path !== spec.path) return { kind: 'refused' };
    if (d.method !== spec.method) return { kind: 'refused' };
    if (spec.method === 'POST' && w.body && w.body.length > BODY_LIMIT) return { kind: 'refused' };
    let view: BodyView = { kind: 'none' };
    if (spec.method === 'POST') {
      const v = bodyView(w.headers['content-type'] as string | undefined, w.body ?? Buffer.alloc(0));
      if (v === 'refused') {
        // A Content-Type that cannot be parsed: refused (415) or the endpoint's own refusal, never
        // accepted; on an empty body, maybe read as no body at all.
        if (w.body?.length)
          return { kind: 'answer', accept: false, refusalOk: true, check: () => undefined, why: 'an unreadable Content-Type' };
        const asNone = endpointExpectation(d, w, { kind: 'none' });
        return asNone.kind === 'answer'
          ? { ...asNone, refusalOk: true }
          : { kind: 'answer', accept: false, refusalOk: true, check: () => undefined, why: 'an unreadable Content-Type and no token' };
      }
      view = v;
    }
    return endpointExpectation(d, w, view);
  }

  function endpointExpectation(d: Draft, w: Wire, view: BodyView): Expectation {
    const query = queryOf(w.target);
    if (d.ep === 'token') return tokenExpectation(query);
    if (d.ep === 'wxcode') return wxcodeExpectation(query);
    // The token.
    const app = query && query.access_token !== undefined ? tokens.get(query.access_token) : undefined;
    if (!query || !app) return { kind: 'token' };
    const fields = ENDPOINTS[d.ep].method === 'GET' ? query : postFields(view, query);
    switch (d.ep) {
      case 'getBaseUrl':
        return baseUrlExpectation(app, fields);
      case 'getOpenidByCode':
        return openidExpectation(app, fields);
      case 'userInfo':
        return userInfoExpectation(fields!);
      case 'notice':
        return noticeExpectation(app, fields, w);
      case 'weekBind':
      case 'flowOrders':
        return reportExpectation(d.ep, app, fields, w);
      case 'ticket':
        return ticketExpectation(fields!);
    }
  }

  function tokenExpectation(query: Record<string, string> | undefined): Expectation {
    const who = (['main', 'other'] as const).find((a) => query && query.appid === apps[a].appid && query.secret === apps[a].secret);
    if (!who) {
      const appid = query?.appid ?? '';
      if (appid !== '' && (query?.secret ?? '') !== '') tokenFailures.set(appid, (tokenFailures.get(appid) ?? 0) + 1);
      return {
        kind: 'answer',
        accept: false,
        why: 'wrong appid or secret',
        check: (_r, b) => (b?.status === 40001 ? undefined : 'expected 40001'),
      };
    }
    return {
      kind: 'answer',
      // After 5 wrong secrets for the appid from this address, the right one may be slowed too.
      accept: (tokenFailures.get(apps[who].appid) ?? 0) >= 5 ? 'either' : true,
      why: `${who}'s appid and secret`,
      check: () => undefined,
      commit: (_r, b) => {
        tokens.set(b!.data as string, who);
        current[who] = b!.data as string;
      },
    };
  }

  function wxcodeExpectation(query: Record<string, string> | undefined): Expectation {
    const page = (status: number, why: string): Expectation => ({
      kind: 'answer',
      accept: false,
      why,
      check: (r) => (r.status === status ? undefined : `expected the HTML page with HTTP ${status}`),
    });
    if (!query) return page(400, 'an unreadable query');
    if (!query.state) return page(400, 'no state');
    // No code: the person refused on WeChat's page; the login is over (its state used up).
    if (!query.code)
      return {
        kind: 'answer',
        accept: false,
        why: 'no code',
        check: (r) => (r.status === 400 ? undefined : 'expected the HTML page with HTTP 400'),
        commit: () => void states.delete(query.state!),
      };
    const started = states.get(query.state);
    if (!started) return page(400, 'an unknown state');
    const code = sandboxCodes.get(query.code);
    const good = code && !code.used && !/^(invalid|used|expired|busy|garbage|timeout)/.test(code.user);
    const consume = () => {
      states.delete(query.state!);
      if (code) code.used = true;
    };
    if (!good)
      return {
        kind: 'answer',
        accept: false,
        why: 'a live state, a code WeChat refuses',
        check: (r) => (r.status === 502 ? undefined : 'expected the HTML page with HTTP 502'),
        commit: consume,
      };
    return {
      kind: 'answer',
      accept: true,
      why: 'a live state and a good code',
      check: (r) => {
        const back = new URL(r.location!);
        const partner = new URL(started.partner);
        if (back.origin !== partner.origin || back.pathname !== partner.pathname || back.hash !== partner.hash)
          return `the redirect ${r.location} is not to ${started.partner}`;
        for (const [k, v] of partner.searchParams)
          if (!back.searchParams.getAll(k).includes(v)) return `the redirect ${r.location} lost ${k}=${v}`;
        return back.searchParams.getAll('code').length === partner.searchParams.getAll('code').length + 1
          ? undefined
          : `no code added in ${r.location}`;
      },
      commit: async (r) => {
        consume();
        const openid = await f.openidOf(code.user);
        platformCodes.set(new URL(r.location!).searchParams.getAll('code').at(-1)!, { app: started.app, openid, used: false });
        if (!users.has(openid)) users.set(openid, new Set());
      },
    };
  }

  function baseUrlExpectation(app: AppName, fields: Record<string, string> | undefined): Expectation {
    const refused: Expectation = {
      kind: 'answer',
      accept: false,
      why: 'a state that may not be used',
      check: (_r, b) => (b?.status === 40002 ? undefined : 'expected 40002'),
    };
    const state = fields?.state;
    if (!state) return refused;
    let url: URL;
    try {
      url = new URL(state);
    } catch {
      return refused;
    }
    const host = url.host.toLowerCase();
    const allowed = apps[app].hosts.some((h) =>
      h.startsWith('*.') ? host.endsWith(h.slice(1)) && host.length > h.length - 1 : h === host,
    );
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username !== '' || url.password !== '' || !allowed) return refused;
    return {
      kind: 'answer',
      accept: true,
      why: `an allowed state for ${app}`,
      check: (_r, b) => {
        const redirect = b!.redirect as string;
        if (!redirect.startsWith(`${f.s.url}/sandbox/wechat-open/connect/oauth2/authorize?`) || !redirect.endsWith('#wechat_redirect'))
          return `not a WeChat authorize URL: ${redirect}`;
        const ref = new URL(redirect).searchParams.get('state') ?? '';
        if (ref === '' || Buffer.byteLength(ref) > 128 || redirect.includes(enc(state)))
          return `WeChat's state is not an opaque reference of at most 128 bytes: ${ref}`;
        return undefined;
      },
      commit: (_r, b) => {
        const redirect = b!.redirect as string;
        states.set(new URL(redirect).searchParams.get('state')!, { app, partner: url.toString(), redirect });
      },
    };
  }

  function openidExpectation(app: AppName, fields: Record<string, string> | undefined): Expectation {
    const code = fields?.code ? platformCodes.get(fields.code) : undefined;
    if (!code || code.used || code.app !== app)
      return {
        kind: 'answer',
        accept: false,
        why: 'no code of this app that is still good',
        check: (_r, b) => (b?.status === 40005 ? undefined : 'expected 40005'),
      };
    return {
      kind: 'answer',
      accept: true,
      why: 'a good code',
      check: (_r, b) => (b!.openid === code.openid ? undefined : `expected the openid ${code.openid}`),
      commit: () => {
        code.used = true;
      },
    };
  }

  function userInfoExpectation(fields: Record<string, string>): Expectation {
    const openid = fields.openid ?? '';
    if (!OPENID.test(openid))
      return {
        kind: 'answer',
        accept: false,
        why: 'an openid that is not one',
        check: (_r, b) => (b?.errMsg ? undefined : 'expected an errMsg'),
      };
    const devices = users.get(openid);
    if (!devices)
      return {
        kind: 'answer',
        accept: false,
        why: 'an unknown openid',
        check: (_r, b) => (keysOf(b!) === 'result,flag' ? undefined : 'expected {result: null, flag: 1}'),
      };
    return {
      kind: 'answer',
      accept: true,
      why: 'a known user',
      check: (_r, b) => {
        const got = new Set((b!.result.accounts as Json[]).map((a) => a.deviceno as string));
        if (b!.result.openid !== openid) return `another user: ${b!.result.openid}`;
        const missing = [...devices].filter((x) => !got.has(x));
        return missing.length || got.size !== devices.size
          ? `accounts ${[...got].join(',')} are not the devices bound: ${[...devices].join(',')}`
          : undefined;
      },
    };
  }

  function keyOf(w: Wire): string | undefined | false {
    const key = w.headers['idempotency-key'];
    if (key === undefined) return undefined;
    return typeof key === 'string' && IDEMPOTENCY_KEY.test(key) ? key : false;
  }

  function noticeExpectation(app: AppName, fields: Record<string, string> | undefined, w: Wire): Expectation {
    const invalid = (why: string): Expectation => ({
      kind: 'answer',
      accept: false,
      why,
      check: (_r, b) => (b?.errMsg && b.result === '发送失败' ? undefined : 'expected 发送失败 with an errMsg'),
    });
    if (!fields) return invalid('an unreadable body');
    const openid = fields.openid;
    if (!required(fields, 'openid', 64) || !OPENID.test(openid!)) return invalid('no openid');
    const url = optionalValue(fields, 'url');
    if (!optionalOk(fields, 'url', 1024) || (url !== undefined && !httpUrl(url))) return invalid('a url that is not http(s)');
    for (const n of ['first', 'activity', 'prize', 'remark']) if (!required(fields, n, 200)) return invalid(`no ${n}`);
    const key = keyOf(w);
    if (key === false) return invalid('a bad Idempotency-Key');
    const idem = key === undefined ? undefined : `${app}:${key}`;
    const asked = fingerprint({
      openid: openid!,
      first: fields.first,
      activity: fields.activity,
      prize: fields.prize,
      remark: fields.remark,
      url,
    });
    if (idem && noticeKeys.has(idem)) {
      const first = noticeKeys.get(idem)!;
      if (first.asked !== asked)
        return {
          kind: 'answer',
          accept: false,
          why: 'an Idempotency-Key reused with another notice',
          check: (r, b) => (shapeOf('notice', r, b) === 'conflict' ? undefined : 'expected the 409 conflict'),
        };
      return {
        kind: 'answer',
        accept: true,
        why: 'a repeated Idempotency-Key',
        check: (_r, b) =>
          JSON.stringify(b) === JSON.stringify(first.answer) ? undefined : `expected the first outcome ${JSON.stringify(first.answer)}`,
      };
    }
    const counted = `${app}:${openid}`;
    const n = noticeCounts.get(counted) ?? 0;
    // The user's side (unsubscribed, invalid) is 发送失败; the platform's (45009 quota: limited…) and an
    // unreachable or unreadable WeChat are 推送接口异常.
    const platformSide = /^limited/.test(openid!);
    const outcome =
      n >= 10
        ? 'failed'
        : /^(unsubscribed|invalid)/.test(openid!)
          ? 'failed'
          : /^(timeout|garbage|limited)/.test(openid!)
            ? 'down'
            : 'sent';
    return {
      kind: 'answer',
      accept: true,
      why: `a notice WeChat answers ${outcome}`,
      check: (r, b) => (shapeOf('notice', r, b) === outcome ? undefined : `expected ${outcome}`),
      commit: (_r, b) => {
        acceptedNotices++;
        // A refusal of the platform's side sent nothing: it does not count against the user's day.
        if (n < 10 && !platformSide) noticeCounts.set(counted, n + 1);
        // (A key whose first try timed out is not kept: the next try sends again; nor one the platform's side refused.)
        if (idem && !/^(timeout|limited)/.test(openid!)) noticeKeys.set(idem, { answer: b!, asked });
        if (b!.status === 200)
          expectedMessages.push({
            touser: openid!,
            first: fields.first!,
            activity: fields.activity!,
            prize: fields.prize!,
            remark: fields.remark!,
            url: url ?? null,
          });
      },
    };
  }

  function reportExpectation(
    ep: 'weekBind' | 'flowOrders',
    app: AppName,
    fields: Record<string, string> | undefined,
    w: Wire,
  ): Expectation {
    const invalid = (why: string): Expectation => ({
      kind: 'answer',
      accept: false,
      why,
      check: (_r, b) => (b?.status === 0 ? undefined : 'expected status 0'),
    });
    if (!fields) return invalid('an unreadable body');
    if (!required(fields, 'openid', 64) || !OPENID.test(fields.openid!)) return invalid('no openid');
    if (!required(fields, 'deviceno', 20) || !DEVICENO.test(fields.deviceno!)) return invalid('no deviceno');
    const stored: Record<string, string> = { openid: fields.openid!, deviceno: fields.deviceno! };
    // channel and from are required (weiting.md); every text field is without control characters.
    for (const n of ['channel', 'from']) {
      if (!required(fields, n, 128)) return invalid(`no ${n}`);
      if (CONTROL_CHARACTER.test(fields[n]!)) return invalid(`a control character in ${n}`);
      stored[n] = fields[n]!;
    }
    const names = ['operators', 'qcellcore', ...(ep === 'flowOrders' ? ['traffic_package_name', 'transaction_date'] : [])];
    for (const n of names) {
      if (!optionalOk(fields, n, 128)) return invalid(`${n} too long`);
      const v = optionalValue(fields, n);
      if (v !== undefined && CONTROL_CHARACTER.test(v)) return invalid(`a control character in ${n}`);
      if (v !== undefined) stored[n] = v;
    }
    if (ep === 'weekBind') {
      return {
        kind: 'answer',
        accept: true,
        why: 'a login report',
        check: (_r, b) => (b!.data === 'success' ? undefined : 'expected success'),
        commit: () => {
          loginReports++;
          const devices = users.get(stored.openid!) ?? new Set<string>();
          devices.add(stored.deviceno!);
          users.set(stored.openid!, devices);
        },
      };
    }
    if (!stored.traffic_package_name?.trim()) return invalid('no traffic_package_name');
    if (stored.transaction_date !== undefined && !realDate(stored.transaction_date)) return invalid('a bad transaction_date');
    const key = keyOf(w);
    if (key === false) return invalid('a bad Idempotency-Key');
    const idem = key === undefined ? undefined : `${app}:${key}`;
    const asked = fingerprint(stored);
    const kept = idem ? orderKeys.get(idem) : undefined;
    if (kept && kept.asked !== asked)
      return {
        kind: 'answer',
        accept: false,
        why: 'an Idempotency-Key reused with another order',
        check: (r, b) => (shapeOf('flowOrders', r, b) === 'conflict' ? undefined : 'expected the 409 conflict'),
      };
    const first = kept?.orderNo;
    return {
      kind: 'answer',
      accept: true,
      why: first ? 'a repeated Idempotency-Key' : 'an order',
      check: (_r, b) =>
        !/^\d{23}$/.test(b!.data)
          ? 'expected an order number'
          : first && b!.data !== first
            ? `expected the first number ${first}`
            : !first && orders.has(b!.data)
              ? 'a number answered before'
              : undefined,
      commit: (_r, b) => {
        if (first) return;
        orders.set(b!.data as string, stored);
        if (idem) orderKeys.set(idem, { orderNo: b!.data as string, asked });
      },
    };
  }

  function ticketExpectation(fields: Record<string, string>): Expectation {
    const ticket = fields.ticket ?? '';
    if (ticket === '')
      return {
        kind: 'answer',
        accept: false,
        why: 'no ticket',
        check: (r, b) => (shapeOf('ticket', r, b) === 'missing' ? undefined : 'expected ticket必须给出'),
      };
    const known = tickets.get(ticket);
    const desc = (b: Json) => b.msg.CAPRoot.SessionHeader[0].Response[0].RspDesc[0] as string;
    if (!known || known.used) {
      const want = known ? 'ticket已使用' : '根据ticket查询网站注册用户信息为空!';
      return {
        kind: 'answer',
        accept: false,
        why: known ? 'a used ticket' : 'an unknown ticket',
        check: (r, b) => (shapeOf('ticket', r, b) === 'no-mobile' && desc(b!) === want ? undefined : `expected RspDesc ${want}`),
      };
    }
    return {
      kind: 'answer',
      accept: true,
      why: 'an issued ticket',
      check: (_r, b) => (b!.data.mobile === known.mobile ? undefined : `expected the mobile ${known.mobile}`),
      commit: () => {
        known.used = true;
      },
    };
  }

  // ---- the run -------------------------------------------------------------------------------

  const weights = Object.entries(ENDPOINTS).flatMap(([name, e]) => Array.from({ length: e.weight * 2 }, () => name as EpName));

  async function run(i: number, d: Draft, repeatOf?: Json): Promise<Json | undefined> {
    const w = toWire(d);
    const exp = expectation(d, w);
    let r: Reply;
    try {
      r = await send(port, agent, w);
    } catch (err) {
      problem('no reply', `case ${i} (${d.labels.join(' + ')}): ${(err as Error).message}; ${describe(w)}`);
      return undefined;
    }
    let b: Json | undefined;
    try {
      b = r.type.startsWith('application/json') ? (JSON.parse(r.text) as Json) : undefined;
    } catch {
      b = undefined;
    }
    const where = () =>
      `case ${i} (${d.labels.join(' + ')}), seed ${SEED}: ${describe(w)} → HTTP ${r.status} ${r.type} ${JSON.stringify(r.text.slice(0, 300))}`;
    const got = shapeOf(d.ep, r, b);
    // What kind of reply it is, without the request's details: the failures' summary groups by it.
    const signature = `${d.method} → HTTP ${r.status} ${b === undefined ? r.type : typeof b.code === 'string' ? `{${keysOf(b)}} ${b.code}` : `{${keysOf(b)}}${typeof b.errMsg === 'string' ? ` ${b.errMsg.replace(/"[^"]*"/g, '"…"').slice(0, 60)}` : ''}`}`;
    if (r.status >= 500 && got === undefined) problem('5xx', where(), signature);
    else if (got === undefined) problem('undocumented reply', where(), signature);
    count(`${d.ep} → ${got ?? `?${r.status}`}`);
    if (got === undefined) return b;
    if (repeatOf !== undefined && JSON.stringify(b) !== JSON.stringify(repeatOf))
      problem(`idempotent repeat differs on ${d.ep}`, `${where()}; the first answer was ${JSON.stringify(repeatOf)}`);
    if (exp.kind === 'refused') {
      if (!got.startsWith('refused-')) problem(`expected an HTTP-layer refusal on ${d.ep}`, where());
    } else if (exp.kind === 'token') {
      if (got !== 'token-refused') problem(`expected the token refusal on ${d.ep}`, where());
    } else if (got === 'token-refused' || got.startsWith('refused-')) {
      if (!exp.refusalOk) problem(`unexpected refusal on ${d.ep}`, `${where()}; expected the endpoint's answer (${exp.why})`);
    } else {
      const accepted = ACCEPTED[got] === true;
      if (exp.accept !== 'either' && accepted !== exp.accept)
        problem(`${exp.accept ? 'refused' : 'accepted'} against the model on ${d.ep}`, `${where()}; the model: ${exp.why}`);
      else if (exp.accept !== 'either') {
        const wrong = exp.check(r, b);
        if (wrong) problem(`wrong answer on ${d.ep}`, `${where()}; the model: ${exp.why}: ${wrong}`);
        else if (exp.commit) await exp.commit(r, b);
      } else if (accepted && exp.commit) await exp.commit(r, b);
    }
    return b;
  }

  // A few tickets to begin with, so the fuzz has things that work.
  for (let k = 0; k < 6; k++) await issueTicket();

  for (let i = 0; i < CASES; i++) {
    const ep = pick(weights);
    const d = base(ep, i);
    // Things that only work when held: issued tickets, live logins.
    if (ep === 'ticket' && chance(0.3)) {
      const fresh = chance(0.3) ? await issueTicket() : undefined;
      const held = [...tickets.keys()];
      setValue(d, 'ticket', fresh ?? held[int(held.length)] ?? 'none');
    }
    if (ep === 'wxcode' && states.size > 0 && chance(0.6)) {
      const [ref, st] = [...states][int(states.size)]!;
      const user = chance(0.85) ? `fz${alnum(8)}` : pick(['invalid_fz', 'expired_fz', 'used_fz', 'busy_fz', 'garbage_fz', `u${alnum(6)}`]);
      const code = chance(0.85) ? await sandboxCode(st.redirect, user) : alnum(32);
      setValue(d, 'code', code);
      setValue(d, 'state', ref);
      d.labels.push('a live login');
    }
    if (ep !== 'token' && ep !== 'wxcode' && chance(0.15)) {
      const v = pick(TOKEN_VARIANTS);
      if (v.name !== 'the token in the body' || d.carrier !== 'query') {
        v.run(d);
        d.labels.push(v.name);
      }
    }
    const n = pick([0, 0, 0, 1, 1, 1, 1, 2, 2, 3]);
    for (let k = 0; k < n; k++) {
      const m = pick(MUTATIONS.filter((x) => x.applies(d)));
      m.run(d);
      d.labels.push(m.name);
    }
    if (d.params.some((p) => p.name === 'openid' && /^timeout/.test(textOf(p.value)))) timeouts++;
    const first = await run(i, d);
    if (ep === 'weekBind' && first?.status !== 200)
      for (const p of [...d.params, ...d.tail]) if (p.name === 'openid' && typeof p.value === 'string') refusedOpenids.add(p.value);
    // Now and then the same request again with the same Idempotency-Key: the same answer, nothing done twice.
    if (
      (ep === 'notice' || ep === 'flowOrders') &&
      typeof d.headers['idempotency-key'] === 'string' &&
      first !== undefined &&
      chance(0.5)
    ) {
      // Sometimes with other content: the key was used for another request, 409 (nothing done).
      const change = chance(0.3);
      if (change) setValue(d, ep === 'notice' ? 'first' : 'channel', 'changed on the retry');
      d.labels.push(change ? 'repeated with other content' : 'repeated');
      await run(i, d, change ? undefined : first);
    }
  }
  const fuzzedMs = Date.now() - startedAt;

  // ---- nothing half-done --------------------------------------------------------------------

  const inbox = (await f.s.admin('/sandbox/template-messages?limit=500')).body.messages as Json[];
  assert.ok(inbox.length < 500, 'the whole inbox is looked at');
  const wanted = [...expectedMessages];
  // The sandbox's inbox keeps a lone surrogate (valid in JSON text, sent escaped) as U+FFFDs: compared without either.
  const loose = (v: unknown) => (typeof v === 'string' ? v.replace(/[\ud800-\udfff\ufffd]/g, '') : v);
  const same = (a: unknown, b: unknown) => loose(a) === loose(b);
  for (const m of inbox) {
    const at = wanted.findIndex(
      (x) =>
        x.touser === m.touser &&
        same(x.first, m.data.first?.value) &&
        same(x.activity, m.data.keyword1?.value) &&
        same(x.prize, m.data.keyword2?.value) &&
        same(x.remark, m.data.remark?.value) &&
        same(x.url, m.url),
    );
    if (at === -1) problem('a template message nobody was told was sent', JSON.stringify(m));
    else wanted.splice(at, 1);
  }
  for (const x of wanted) problem('a notice answered 发送成功 is not in the inbox', JSON.stringify(x));

  const db = f.s.k.core.db;
  const countOf = async (table: 'weiting_notices' | 'weiting_reports', kind?: string) => {
    let q = db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n'));
    if (kind) q = q.where('kind' as never, '=', kind as never);
    return Number((await q.executeTakeFirstOrThrow()).n);
  };
  const notices = await countOf('weiting_notices');
  if (notices !== acceptedNotices) problem('notice records', `${notices} notices recorded, ${acceptedNotices} accepted`);

  const recorded = (await f.s.admin('/weiting/orders?limit=500')).body.orders as Json[];
  const orderRows = await countOf('weiting_reports', 'order');
  assert.ok(orderRows < 500, 'every order is looked at');
  if (orderRows !== orders.size) problem('order records', `${orderRows} orders recorded, ${orders.size} answered with a number`);
  for (const o of recorded) {
    const sent = orders.get(o.orderNo);
    if (!sent) problem('an order nobody was answered', JSON.stringify(o));
    else if (JSON.stringify(Object.entries(o.fields).sort()) !== JSON.stringify(Object.entries(sent).sort()))
      problem('an order recorded with other fields', `${JSON.stringify(o.fields)} for ${JSON.stringify(sent)}`);
  }
  const logins = await countOf('weiting_reports', 'login');
  if (logins !== loginReports) problem('login reports', `${logins} login reports recorded, ${loginReports} answered success`);

  // Bindings: the bound users have exactly their devices; openids only ever refused have no user.
  const info = (openid: string) => f.get('/service/1.0/user/info', { access_token: current.main, openid });
  for (const [openid, devices] of [...users].slice(0, 40)) {
    const r = await info(openid);
    const got = new Set(((r.body.result?.accounts ?? []) as Json[]).map((a) => a.deviceno as string));
    if (r.body.flag !== 0 || got.size !== devices.size || [...devices].some((x) => !got.has(x)))
      problem('a user with other devices', `${openid}: ${JSON.stringify(r.body)} for ${[...devices]}`);
  }
  for (const openid of [...refusedOpenids].filter((o) => OPENID.test(o) && !users.has(o)).slice(0, 40)) {
    const r = await info(openid);
    if (JSON.stringify(r.body) !== JSON.stringify({ result: null, flag: 1 }))
      problem('a user made by a refused report', `${openid}: ${JSON.stringify(r.body)}`);
  }
  // Tickets only refused requests carried (or none) still work, once: nothing consumed them on the side.
  for (const [ticket, tk] of [...tickets].filter(([, x]) => !x.used)) {
    const r = await f.get('/service/appOauthen/Ticket', { access_token: current.main, ticket });
    if (JSON.stringify(r.body) !== JSON.stringify({ errcode: 0, data: { mobile: tk.mobile } }))
      problem('a ticket no accepted request redeemed no longer works', `${ticket}: ${JSON.stringify(r.body)}`);
  }
  assert.equal((await fetch(`${f.s.url}/healthz`)).status, 200);

  t.diagnostic(`fuzzed in ${fuzzedMs} ms; ${JSON.stringify(Object.fromEntries([...tally].sort()))}`);
  t.diagnostic(
    `accepted: ${acceptedNotices} notices (${expectedMessages.length} sent), ${orders.size} orders, ${loginReports} login reports, ${users.size} users`,
  );
  if (problems.length) {
    const summary = [...signatures].map(([sig, n]) => `  ${n}× ${sig}`).join('\n');
    assert.fail(
      `${[...problemKinds].map(([k, n]) => `${n}× ${k}`).join('; ')} (seed ${SEED})\n${summary}\nexamples:\n${problems.join('\n')}`,
    );
  }
});

// ---------------------------------------------------------------------------------------------
// Broken HTTP framing on /service/ paths, over a raw socket.

test('weiting: broken HTTP framing on /service/ paths is refused with a 4xx in the {status: 0, errMsg} shape, doing nothing', async (t) => {
  const f = await weitingFixture('sqlite', { env: { KAIFANG_REQUEST_TIMEOUT_MS: '1000' } });
  t.after(() => f.close());
  const port = Number(new URL(f.s.url).port);
  const token = await f.token();
  const ticket = (await f.s.admin('/weiting/tickets', { body: { mobile: '17717463317' } })).body.ticket as string;
  const n = JSON.stringify({ openid: 'oRawSocket0001', first: 'a', activity: 'b', prize: 'c', remark: 'd' });
  const order = JSON.stringify({ openid: 'oRawSocket0001', deviceno: '17717463317', traffic_package_name: '1GB' });
  const bind = 'openid=oRawSocket0001&deviceno=17717463317';
  const P = (path: string) => `${path}?access_token=${token}`;
  const cases: [string, string, number?][] = [
    [
      'a Content-Length that is not a number',
      `POST ${P('/service/weekBind/create')} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: abc\r\n\r\n${bind}`,
    ],
    [
      'two different Content-Lengths',
      `POST ${P('/service/flowOrders/create')} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${order.length}\r\nContent-Length: 3\r\n\r\n${order}`,
    ],
    [
      'Content-Length and chunked',
      `POST ${P('/service/1.0/sendPrizeNotice')} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nContent-Length: ${n.length}\r\n\r\n${n}`,
    ],
    [
      'chunked not last',
      `POST ${P('/service/flowOrders/create')} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked, gzip\r\n\r\n${order}`,
    ],
    [
      'a chunk size that is not hex',
      `POST ${P('/service/weekBind/create')} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n${bind}\r\n0\r\n\r\n`,
    ],
    [
      'a chunk longer than it says',
      `POST ${P('/service/1.0/sendPrizeNotice')} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n${n}\r\n0\r\n\r\n`,
    ],
    [
      'a header line without a colon',
      `POST ${P('/service/weekBind/create')} HTTP/1.1\r\nHost: x\r\nBad Header\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${bind.length}\r\n\r\n${bind}`,
    ],
    [
      'a NUL in a header name',
      `POST ${P('/service/weekBind/create')} HTTP/1.1\r\nHost: x\r\nX-\u0000: 1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${bind.length}\r\n\r\n${bind}`,
    ],
    [
      'a control character in the Idempotency-Key',
      `POST ${P('/service/flowOrders/create')} HTTP/1.1\r\nHost: x\r\nIdempotency-Key: a\u0001b\r\nContent-Type: application/json\r\nContent-Length: ${order.length}\r\n\r\n${order}`,
    ],
    [
      'a folded header line',
      `POST ${P('/service/flowOrders/create')} HTTP/1.1\r\nHost: x\r\nIdempotency-Key: a\r\n b\r\nContent-Type: application/json\r\nContent-Length: ${order.length}\r\n\r\n${order}`,
    ],
    [
      'a space in the request target',
      `GET /service/appOauthen/Ticket?access_token=${token}&ticket=${ticket} x HTTP/1.1\r\nHost: x\r\n\r\n`,
    ],
    [
      'raw UTF-8 in the query',
      `GET /service/1.0/user/info?access_token=${token}&openid=o\u00e4\u00b8\u00ad1234 HTTP/1.1\r\nHost: x\r\n\r\n`,
    ],
    [
      'bytes that are not UTF-8 in the query',
      `GET /service/appOauthen/Ticket?access_token=${token}&ticket=${ticket}\u00ff HTTP/1.1\r\nHost: x\r\n\r\n`,
    ],
    [
      'a control character in the query',
      `GET /service/appOauthen/Ticket?access_token=${token}&ticket=${ticket}\u0001 HTTP/1.1\r\nHost: x\r\n\r\n`,
    ],
    [
      'a request line over 16 KB',
      `GET /service/appOauthen/Ticket?access_token=${token}&ticket=${ticket}&x=${'q'.repeat(17_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      431,
    ],
    [
      'an Idempotency-Key over 16 KB',
      `POST ${P('/service/flowOrders/create')} HTTP/1.1\r\nHost: x\r\nIdempotency-Key: ${'k'.repeat(17_000)}\r\nContent-Type: application/json\r\nContent-Length: ${order.length}\r\n\r\n${order}`,
      431,
    ],
    [
      'an HTTP version that does not exist',
      `GET /service/appOauthen/Ticket?access_token=${token}&ticket=${ticket} HTTP/9.9\r\nHost: x\r\n\r\n`,
    ],
    ['garbage after the request line', `POST ${P('/service/1.0/sendPrizeNotice')} HTTP/1.1\r\n\u00ff\u00fe\u0001\u0002 \u007f\r\n\r\n${n}`],
    [
      'a body that never arrives in full',
      `POST ${P('/service/flowOrders/create')} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${order.length + 50}\r\n\r\n${order}`,
      408,
    ],
  ];
  const wrong: string[] = [];
  for (const [label, raw, status] of cases) {
    const reply = await exchange(port, Buffer.from(raw, 'latin1'));
    const where = `${label}: ${JSON.stringify(raw.length > 300 ? `${raw.slice(0, 300)}…` : raw)} → ${JSON.stringify(reply.slice(0, 400))}`;
    const code = Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1]);
    const head = reply.indexOf('\r\n\r\n');
    const length = Number(/content-length: (\d+)/i.exec(reply.slice(0, head))?.[1]);
    let body: Json | undefined;
    try {
      body = JSON.parse(
        Buffer.from(reply.slice(head + 4), 'utf8')
          .subarray(0, length)
          .toString('utf8'),
      ) as Json;
    } catch {
      body = undefined;
    }
    const ok =
      code >= 400 &&
      code < 500 &&
      (status === undefined || code === status) &&
      /\r\ncontent-type: application\/json/i.test(reply.slice(0, head)) &&
      body !== undefined &&
      Object.keys(body).join() === 'status,errMsg' &&
      body.status === 0 &&
      typeof body.errMsg === 'string';
    if (!ok) wrong.push(where);
  }
  // Nothing was done: no notice, order, report or binding; the ticket still works.
  assert.deepEqual(await f.inbox(), []);
  assert.deepEqual((await f.s.admin('/weiting/notices')).body, { notices: [], total: 0, limit: 50, offset: 0 });
  assert.deepEqual((await f.s.admin('/weiting/orders')).body, { orders: [], total: 0, limit: 50, offset: 0 });
  assert.deepEqual((await f.get('/service/1.0/user/info', { access_token: token, openid: 'oRawSocket0001' })).body, {
    result: null,
    flag: 1,
  });
  assert.deepEqual((await f.get('/service/appOauthen/Ticket', { access_token: token, ticket })).body, {
    errcode: 0,
    data: { mobile: '17717463317' },
  });
  assert.deepEqual(wrong, [], 'each refusal is a 4xx {status: 0, errMsg}');
});

// ---------------------------------------------------------------------------------------------
// Bugs the fuzz found, each reduced to its smallest request. They fail until kaifang is fixed.

/** A 4xx `{status: 0, errMsg}`: what a refusal of the HTTP layer under /service/ looks like. */
async function refusalShape(res: Response): Promise<string | undefined> {
  const text = await res.text();
  let body: Json | undefined;
  try {
    body = JSON.parse(text) as Json;
  } catch {
    body = undefined;
  }
  const ok =
    res.status >= 400 &&
    res.status < 500 &&
    body !== undefined &&
    Object.keys(body).join() === 'status,errMsg' &&
    body.status === 0 &&
    typeof body.errMsg === 'string';
  return ok ? undefined : `HTTP ${res.status} ${res.headers.get('content-type')} ${text.slice(0, 200)}`;
}

// Found by the fuzz (fixed: server/refusals.ts installRootErrorHandler): on a /service/ path no route serves (a typo, a trailing slash, `%2e`),
// Fastify's root body parsers run before the 404 and their refusals come out in Fastify's own
// shape `{"statusCode", "code": "FST_ERR_CTP_…", "error", "message"}`, not weiting's
// `{"status": 0, "errMsg"}` (the same happens under the other fronts' paths).
test("found by the fuzz: a body refused on a /service/ path nobody serves is answered {status: 0, errMsg} with its 4xx, not in Fastify's shape", async (t) => {
  const f = await weitingFixture('sqlite');
  t.after(() => f.close());
  const post = (path: string, type: string, body: string) =>
    fetch(`${f.s.url}${path}`, { method: 'POST', headers: { 'content-type': type }, body });
  const wrong: string[] = [];
  for (const [label, res] of [
    // → 400 {"statusCode":400,"code":"FST_ERR_CTP_EMPTY_JSON_BODY",…}
    ['an empty JSON body', await post('/service/nothing-here', 'application/json', '')],
    // → 400 {"statusCode":400,"code":"FST_ERR_CTP_INVALID_JSON_BODY",…}
    ['broken JSON, trailing slash', await post('/service/weekBind/create/', 'application/json', '{')],
    // → 415 {"statusCode":415,"code":"FST_ERR_CTP_INVALID_MEDIA_TYPE",…}
    ['Content-Type "/"', await post('/service/nothing-here', '/', 'x')],
    // → 413 {"statusCode":413,"code":"FST_ERR_CTP_BODY_TOO_LARGE",…}
    ['a body over the limit', await post('/service/nothing-here', 'application/json', JSON.stringify({ x: 'x'.repeat(70_000) }))],
  ] as const) {
    const problem = await refusalShape(res);
    if (problem) wrong.push(`${label}: ${problem}`);
  }
  assert.deepEqual(wrong, []);
});

// Found by the fuzz (fixed: weiting/routes.ts keeps the refusal's 4xx): a Content-Type that cannot be parsed ("" or "/") on a /service/ endpoint
// is answered `{"status": 0, "errMsg": "the Content-Type … cannot be read …"}` with HTTP 200
// (routes.ts maps every refusal but 413 to 200). That is neither an HTTP-layer refusal (a 4xx, as
// 400/404/405/408/413/431 are) nor the endpoint's own error shape (weekBind: `{data, status: 0,
// info: 0}`; sendPrizeNotice: `{status: 0, result: "发送失败", errMsg}`); on getBaseUrl /
// getOpenidByCode / user/info it reads like the token refusal (`status: 0` is documented only for
// the token). It also comes before the token check and the wrong-method 405.
test('found by the fuzz: an unreadable Content-Type is a 4xx {status: 0, errMsg}, not an HTTP 200', async (t) => {
  const f = await weitingFixture('sqlite');
  t.after(() => f.close());
  const token = await f.token();
  const body = JSON.stringify({ openid: 'oContentType01', deviceno: '17717463317' });
  const wrong: string[] = [];
  for (const [label, res, endpointShape] of [
    // → 200 {"status":0,"errMsg":"the Content-Type \"/\" cannot be read; send application/x-www-form-urlencoded or application/json"}
    [
      'weekBind, Content-Type "/"',
      await fetch(`${f.s.url}/service/weekBind/create?access_token=${token}`, { method: 'POST', headers: { 'content-type': '/' }, body }),
      'data,status,info',
    ],
    [
      'weekBind, Content-Type ""',
      await fetch(`${f.s.url}/service/weekBind/create?access_token=${token}`, { method: 'POST', headers: { 'content-type': '' }, body }),
      'data,status,info',
    ],
    [
      'sendPrizeNotice, Content-Type "/"',
      await fetch(`${f.s.url}/service/1.0/sendPrizeNotice?access_token=${token}`, {
        method: 'POST',
        headers: { 'content-type': '/' },
        body,
      }),
      'status,result,errMsg',
    ],
    // No token at all: still not the token refusal.
    [
      'getBaseUrl, no token, Content-Type "/"',
      await fetch(`${f.s.url}/service/wxoauth/2.0/getBaseUrl`, { method: 'POST', headers: { 'content-type': '/' }, body: 'state=x' }),
      'token',
    ],
  ] as const) {
    const text = await res.clone().text();
    const json = JSON.parse(text) as Json;
    const own =
      res.status === 200 &&
      (endpointShape === 'token'
        ? JSON.stringify(json) === JSON.stringify(TOKEN_REFUSED)
        : Object.keys(json).join() === endpointShape && json.status === 0);
    const problem = own ? undefined : await refusalShape(res);
    if (problem) wrong.push(`${label}: ${problem}`);
  }
  assert.deepEqual((await f.s.admin('/weiting/orders')).body, { orders: [], total: 0, limit: 50, offset: 0 });
  assert.deepEqual(wrong, []);
});

// Found by the raw-socket cases (fixed: server/refusals.ts refuseWithoutHost): an HTTP/1.1 request without a Host header was answered by
// Node itself (requireHostHeader) — `400` with an empty body and no Content-Type — before kaifang's
// clientErrorHandler, so it is not in weiting's `{"status": 0, "errMsg"}` shape.
test("found by the fuzz: an HTTP/1.1 request without Host gets a 400 {status: 0, errMsg}, not Node's empty 400", async (t) => {
  const f = await weitingFixture('sqlite');
  t.after(() => f.close());
  const token = await f.token();
  const reply = await exchange(
    Number(new URL(f.s.url).port),
    Buffer.from(`GET /service/1.0/user/info?access_token=${token}&openid=oNoHost000001 HTTP/1.1\r\n\r\n`, 'latin1'),
  );
  // Before the fix: "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n…\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
  assert.match(reply, /^HTTP\/1\.1 4\d\d /, reply);
  const head = reply.indexOf('\r\n\r\n');
  assert.match(reply.slice(0, head), /\r\ncontent-type: application\/json/i, reply);
  const length = Number(/content-length: (\d+)/i.exec(reply.slice(0, head))?.[1]);
  const body = JSON.parse(reply.slice(head + 4, head + 4 + length)) as Json;
  assert.deepEqual(Object.keys(body), ['status', 'errMsg'], reply);
  assert.equal(body.status, 0, reply);
});

// Found probing the methods (fixed: the wire GETs expose no HEAD; it is a 405): HEAD was served by the GET handler with the body dropped, so a
// HEAD of appOauthen/Ticket redeems the single-use ticket and the caller never sees the mobile
// number (the next GET says ticket已使用). Likewise a HEAD of wxoauth/2.0/wxcode completes the login
// (the browser's GET after it gets the 400 page), and a HEAD of access/token issues a token whose
// value is dropped (counting against the day's limit, starting the old token's last 5 minutes).
test('found by the fuzz: HEAD on appOauthen/Ticket is a 405 and leaves the ticket unspent', async (t) => {
  const f = await weitingFixture('sqlite');
  t.after(() => f.close());
  const token = await f.token();
  const ticket = (await f.s.admin('/weiting/tickets', { body: { mobile: '17717463317' } })).body.ticket as string;
  const head = await fetch(`${f.s.url}/service/appOauthen/Ticket?access_token=${token}&ticket=${ticket}`, { method: 'HEAD' });
  assert.equal(head.status, 405, `HEAD answered ${head.status}`);
  // Before the fix: {"errcode":1,"data":"手机号码获取异常","msg":{…"RspDesc":["ticket已使用"]…}}
  assert.deepEqual(
    (await f.get('/service/appOauthen/Ticket', { access_token: token, ticket })).body,
    { errcode: 0, data: { mobile: '17717463317' } },
    'the HEAD did not redeem the ticket',
  );
});
