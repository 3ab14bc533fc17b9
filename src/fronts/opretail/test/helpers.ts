import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { XMLParser } from 'fast-xml-parser';
import type { DeveloperKeyWithSecret, NewDeveloperKey } from '../domain/developerKeys.ts';
import type { TestServer } from '../../../../test/helpers/server.ts';

/**
 * Test-side tools for /m.api written from the spec's text, independent of ../signing.ts (and src/kernel/signing.ts) and
 * src/kernel/cst.ts: a tiny signer on node:crypto, a CST formatter, raw fetch senders.
 */

export type Raw = Record<string, string>;

export function testSign(params: Raw, secret: string, sm: 'md5' | 'sha1' = 'md5'): string {
  const names = Object.keys(params)
    .filter((n) => n !== '_sig')
    .sort();
  const text = secret + names.map((n) => n + params[n]).join('') + secret;
  return createHash(sm).update(Buffer.from(text, 'utf8')).digest('hex').toUpperCase();
}

/** `yyyyMMddHHmmss` in UTC+8. */
export function cst(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

export interface TestKey {
  akey: string;
  secret: string;
  id: number;
  enterpriseId: number;
}

export async function makeKey(s: TestServer, input: Partial<NewDeveloperKey> = {}): Promise<TestKey & { record: DeveloperKeyWithSecret }> {
  const record = await s.k.fronts.opretail.keys.create({ username: 'dev', enterpriseId: 42, ...input });
  return { akey: record.applicationKey, secret: record.applicationSecret, id: record.id, enterpriseId: record.enterpriseId, record };
}

let unique = 0;

/** Every system parameter, signed; `extra` may override or add any (set one to undefined to drop it). */
export function signedParams(
  key: Pick<TestKey, 'akey' | 'secret'>,
  now: number,
  extra: Record<string, string | undefined> = {},
  sm: 'md5' | 'sha1' = 'md5',
): Raw {
  const p: Record<string, string | undefined> = {
    _aid: 'S107',
    _akey: key.akey,
    _mt: 'open.gateway.authentication',
    _sm: sm,
    _requestMode: 'post',
    _version: 'v2',
    _timestamp: cst(now),
    orgid: '42',
    // Makes each signature unique so the replay guard does not see the same call twice.
    nonce: String(++unique),
    ...extra,
  };
  for (const n of Object.keys(p)) if (p[n] === undefined) delete p[n];
  const raw = p as Raw;
  if (!('_sig' in extra)) raw._sig = testSign(raw, key.secret, sm);
  return raw;
}

export const form = (p: Raw) => new URLSearchParams(p).toString();

export interface Reply {
  status: number;
  body: any;
  text: string;
  headers: Headers;
}

async function read(res: Response): Promise<Reply> {
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, body, text, headers: res.headers };
}

export async function postForm(url: string, p: Raw, opts: { query?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  return read(
    await fetch(`${url}/m.api${opts.query ? '?' + opts.query : ''}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...opts.headers },
      body: form(p),
    }),
  );
}

export async function postJson(url: string, body: unknown, opts: { headers?: Record<string, string> } = {}): Promise<Reply> {
  return read(
    await fetch(`${url}/m.api`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...opts.headers },
      body: JSON.stringify(body),
    }),
  );
}

export async function postRaw(url: string, body: string, contentType?: string, query = ''): Promise<Reply> {
  return read(
    await fetch(`${url}/m.api${query ? '?' + query : ''}`, {
      method: 'POST',
      headers: contentType ? { 'content-type': contentType } : {},
      body,
    }),
  );
}

export async function get(url: string, query: string, headers: Record<string, string> = {}): Promise<Reply> {
  return read(await fetch(`${url}/m.api?${query}`, { headers }));
}

/** The gateway shape with the given code, checked field by field; returns `result`. */
export function expectCode(r: Reply, code: number, codename: string, result?: RegExp): string {
  assert.equal(r.status, 200, r.text);
  assert.ok(r.body, `not JSON: ${r.text}`);
  assert.deepEqual(Object.keys(r.body).sort(), ['data', 'result', 'stat']);
  assert.deepEqual(Object.keys(r.body.stat).sort(), ['cid', 'code', 'codename', 'systime']);
  assert.equal(r.body.stat.code, code, r.text);
  assert.equal(r.body.stat.codename, codename);
  assert.equal(typeof r.body.stat.systime, 'number');
  assert.equal(typeof r.body.stat.cid, 'string');
  assert.equal(r.body.stat.cid, r.headers.get('x-request-id'));
  assert.equal(typeof r.body.result, 'string');
  if (code !== 0) assert.equal(r.body.data, null);
  if (result) assert.match(r.body.result, result);
  return r.body.result as string;
}

export const xmlParser = new XMLParser({ parseTagValue: false });

/** A small upstream service for registered methods; records what it received. */
export interface Upstream {
  url: string;
  received: { headers: IncomingMessage['headers']; body: unknown; path: string }[];
  close(): Promise<void>;
}

export async function startUpstream(handle: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<Upstream> {
  const received: Upstream['received'] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      let parsed: unknown = body;
      try {
        parsed = JSON.parse(body);
      } catch {
        /* keep text */
      }
      received.push({ headers: req.headers, body: parsed, path: req.url ?? '' });
      handle(req, body, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** A free loopback port with nothing listening on it (for "connection refused"). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
