import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Backend } from '../../../../test/helpers/backends.ts';
import { startServer, type TestServer } from '../../../../test/helpers/server.ts';

/**
 * The storepos signature written again from storepos.md, independently of ../signing.ts:
 * non-empty fields but `sign`, sorted by code unit, `name=value` joined by `&`, `&key=KEY`, MD5 of
 * the UTF-8 bytes, uppercase hex.
 */
export function independentSign(fields: Record<string, unknown>, key: string): string {
  const names = Object.keys(fields)
    .filter((n) => n !== 'sign' && fields[n] !== undefined && fields[n] !== null && String(fields[n]) !== '')
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const text = names.map((n) => `${n}=${String(fields[n])}`).join('&') + `&key=${key}`;
  return createHash('md5').update(Buffer.from(text, 'utf8')).digest('hex').toUpperCase();
}

export type Reply = { state: string; code: string; msg: string; sign: string; [field: string]: unknown };

/** Checks the reply's shape and its sign: by `key`, or "" when the agent could not be identified. */
export function assertSigned(reply: Reply, key: string | null): void {
  assert.equal(typeof reply.state, 'string');
  assert.ok(['SUCCESS', 'FAIL', 'VER'].includes(reply.state), `state ${reply.state}`);
  assert.equal(typeof reply.code, 'string');
  assert.equal(typeof reply.msg, 'string');
  assert.equal(typeof reply.sign, 'string');
  if (key === null) assert.equal(reply.sign, '', 'an unidentified agent gets an empty sign');
  else assert.equal(reply.sign, independentSign(reply, key), `reply sign of ${JSON.stringify(reply)}`);
}

export interface StoreposFixture {
  s: TestServer;
  agentId: string;
  key: string;
  appid: string;
  /** Raw fetch of a form-encoded (or JSON) request, signed independently unless `sign` is given. */
  post(
    path: string,
    params: Record<string, string>,
    options?: { sign?: string; json?: boolean; key?: string; agentId?: string; version?: string },
  ): Promise<Reply>;
  /** Codes the sandbox SMS outbox holds for `mobile`, newest first. */
  outbox(mobile: string): Promise<string[]>;
  /** A fresh, valid mobile number no other test uses. */
  mobile(): string;
  close(): Promise<void>;
}

let mobileSeq = Math.floor(Math.random() * 1_000_000);

export async function storeposFixture(backend: Backend['name'], env: Record<string, string> = {}): Promise<StoreposFixture> {
  // Short upstream timeout: the sandbox's "timeout" inputs hang just past it.
  const s = await startServer({ backend, env: { KAIFANG_UPSTREAM_TIMEOUT_MS: '800', ...env } });
  const created = await s.admin('/storepos/agents', { body: { name: 'test agent' } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const appid = 'wx' + createHash('md5').update(String(Math.random())).digest('hex').slice(0, 16);
  const app = await s.admin('/wechat/miniapps', { body: { appid, secret: 'sandbox-secret-' + appid, name: 'test app' } });
  assert.equal(app.status, 201, JSON.stringify(app.body));
  const grant = await s.admin(`/storepos/agents/${created.body.agentId}/grants/${appid}`, { method: 'PUT' });
  assert.equal(grant.status, 200, JSON.stringify(grant.body));
  const agentId: string = created.body.agentId;
  const key: string = created.body.secret;
  return {
    s,
    agentId,
    key,
    appid,
    async post(path, params, options = {}) {
      const fields: Record<string, string> = {
        agent_id: options.agentId ?? agentId,
        pid: 'kaifang-test',
        version: options.version ?? '1.0',
        ...params,
      };
      const sign = options.sign ?? independentSign(fields, options.key ?? key);
      const all = { ...fields, sign };
      const res = await fetch(s.url + path, {
        method: 'POST',
        headers: { 'content-type': options.json ? 'application/json' : 'application/x-www-form-urlencoded' },
        body: options.json ? JSON.stringify(all) : new URLSearchParams(all).toString(),
      });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json; charset=utf-8/);
      return (await res.json()) as Reply;
    },
    async outbox(mobile) {
      const r = await s.admin(`/sandbox/sms?mobile=${mobile}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return (r.body.messages as { code: string | null; text: string }[]).map((m) => m.code ?? /\d{6}/.exec(m.text)?.[0] ?? '');
    },
    mobile() {
      mobileSeq = (mobileSeq + 1) % 100_000_000;
      return '137' + String(mobileSeq).padStart(8, '0');
    },
    close: () => s.close(),
  };
}
