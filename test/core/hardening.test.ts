import { test } from 'node:test';
import { fronts } from '../../src/fronts/all.ts';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, readdirSync, existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { ConfigError } from '../../src/kernel/settings.ts';
import { loadConfig } from '../../src/server/config.ts';
import { createKaifang } from '../../src/server/kaifang.ts';
import { backendNames, makeBackend } from '../helpers/backends.ts';
import { startServer } from '../helpers/server.ts';

/** Tests that name a front's routes run only where the front is installed (a front can be removed). */
const installed = new Set<string>(fronts.map((front) => front.name));

/**
 * What an adversarial probe and an unlucky operator found: stalled bodies, framing and header
 * refusals in the front's shape, a lost or foreign master key, a store that cannot be written,
 * unvalidated admin queries and unbounded numbers, weak admin tokens, control characters.
 */

/** Writes `text` on a raw connection and collects what comes back until the server closes it (or `waitMs`). */
function raw(url: string, text: string, waitMs = 8000): Promise<{ reply: string; closed: boolean; ms: number }> {
  const { port } = new URL(url);
  const started = Date.now();
  return new Promise((resolve) => {
    const c = net.connect(Number(port), '127.0.0.1', () => c.write(text));
    let reply = '';
    c.on('data', (d) => (reply += d.toString()));
    c.on('error', () => undefined);
    c.on('close', () => resolve({ reply, closed: true, ms: Date.now() - started }));
    setTimeout(() => {
      c.destroy();
      resolve({ reply, closed: false, ms: Date.now() - started });
    }, waitMs);
  });
}

const bodyOf = (reply: string) => JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4)) as Record<string, any>;
const statusOf = (reply: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1]);

test("a body that never finishes is cut after KAIFANG_REQUEST_TIMEOUT_MS with 408 in the front's shape, on many connections at once", async (t) => {
  const s = await startServer({ env: { KAIFANG_REQUEST_TIMEOUT_MS: '1000' } });
  t.after(() => s.close());
  const stalled = (path: string) =>
    raw(
      s.url,
      `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nagent_id=1`,
    );
  const results = await Promise.all([
    ...Array.from({ length: 30 }, () => stalled('/Mch/GetMchSMSValid')),
    ...Array.from({ length: 30 }, () => stalled('/m.api')),
  ]);
  for (const [i, r] of results.entries()) {
    assert.ok(r.closed, `connection ${i} was held: ${r.reply}`);
    assert.ok(r.ms < 6000, `cut after ${r.ms} ms`);
    assert.equal(statusOf(r.reply), 408, r.reply);
    const body = bodyOf(r.reply);
    if (i < 30)
      assert.deepEqual(body, { state: 'FAIL', code: '10004', msg: 'the request did not arrive in full within 1000 ms', sign: '' });
    else {
      assert.equal(body.stat.code, 7);
      assert.match(body.result, /within 1000 ms/);
    }
  }
  // The server still serves.
  assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
});

test("broken framing (400), an oversize query string (431) and an unreadable Content-Type answer in the front's shape", async (t) => {
  const s = await startServer();
  t.after(() => s.close());
  const framing = await raw(s.url, 'POST /m.api HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n');
  assert.equal(statusOf(framing.reply), 400);
  assert.equal(bodyOf(framing.reply).stat.codename, 'SIGN_WRONG');
  const storeposFraming = await raw(s.url, 'POST /Mch/GetMchSMSValid HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n');
  assert.equal(statusOf(storeposFraming.reply), 400);
  assert.equal(bodyOf(storeposFraming.reply).code, '10004');

  const long = await raw(s.url, `GET /m.api?_format=json&x=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
  assert.equal(statusOf(long.reply), 431);
  assert.match(bodyOf(long.reply).result, /larger than the server accepts/);
  const longStorepos = await raw(
    s.url,
    `POST /Open/WXA_Code2Session?x=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n`,
  );
  assert.equal(statusOf(longStorepos.reply), 431);
  assert.equal(bodyOf(longStorepos.reply).state, 'FAIL');

  // Not a front's path: the platform's own shape.
  const elsewhere = await raw(s.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n');
  assert.equal(statusOf(elsewhere.reply), 400);
  assert.equal(bodyOf(elsewhere.reply).error.kind, 'BadRequest');

  for (const contentType of [';;;', 'text/plain', 'multipart/form-data; boundary=']) {
    const res = await fetch(`${s.url}/Mch/GetMchSMSValid`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: 'agent_id=1',
    });
    assert.equal(res.status, 200, contentType);
    const reply = (await res.json()) as { state: string; code: string; msg: string };
    assert.equal(reply.state, 'FAIL');
    assert.equal(reply.code, '10004');
    assert.match(reply.msg, /Content-Type|content type/);
  }
});

test('the master key: a missing or foreign key stops start-up naming it; a new key is made only for an empty store', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kaifang-keycheck-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const env = { KAIFANG_DATA_DIR: dir, KAIFANG_LOG_LEVEL: 'silent', KAIFANG_ADMIN_TOKEN: 'a-long-enough-admin-token' };
  const k = await createKaifang(loadConfig(env));
  await k.fronts.opretail.keys.create({ username: 'before', enterpriseId: 1 });
  await k.close();
  const keyFile = join(dir, 'master.key');
  const original = readFileSync(keyFile, 'utf8');

  await assert.rejects(createKaifang(loadConfig({ ...env, KAIFANG_MASTER_KEY: randomBytes(32).toString('hex') })), (err: unknown) => {
    assert.ok(err instanceof ConfigError);
    assert.equal(err.setting, 'KAIFANG_MASTER_KEY');
    assert.match(err.message, /cannot open the secrets in the store .*kaifang\.sqlite.*not the master key/);
    return true;
  });
  unlinkSync(keyFile);
  await assert.rejects(
    createKaifang(loadConfig(env)),
    (err: unknown) => err instanceof ConfigError && err.setting === keyFile && /is missing, but the store/.test(err.message),
  );
  assert.equal(existsSync(keyFile), false, 'no new key was made for a store that holds secrets');
  writeFileSync(keyFile, 'b'.repeat(64) + '\n', { mode: 0o600 });
  await assert.rejects(createKaifang(loadConfig(env)), (err: unknown) => err instanceof ConfigError && err.setting === keyFile);
  writeFileSync(keyFile, original, { mode: 0o600 });
  const again = await createKaifang(loadConfig(env));
  assert.equal((await again.fronts.opretail.keys.list()).length, 1);
  await again.close();
});

for (const name of backendNames()) {
  test(`the master key check holds on every backend: a foreign key is refused (${name})`, async (t) => {
    const backend = await makeBackend(name);
    t.after(() => backend.cleanup());
    const k = await createKaifang(loadConfig(backend.env));
    await k.close();
    await assert.rejects(createKaifang(loadConfig({ ...backend.env, KAIFANG_MASTER_KEY: randomBytes(32).toString('hex') })), ConfigError);
  });
}

test('a store that cannot be written stops start-up, and /readyz says when writes fail', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kaifang-readonly-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const env = { KAIFANG_DATA_DIR: dir, KAIFANG_LOG_LEVEL: 'silent', KAIFANG_ADMIN_TOKEN: 'a-long-enough-admin-token' };
  const k = await createKaifang(loadConfig(env));
  await k.close();
  // Read-only for the user who runs kaifang (root ignores file modes: run it as nobody then).
  const asRoot = process.getuid?.() === 0;
  chmodSync(dir, 0o777);
  // Every file of the store (the WAL and shared-memory files are 0600 like the database now).
  for (const f of readdirSync(dir)) {
    if (asRoot) chownSync(join(dir, f), 65534, 65534);
  }
  chmodSync(join(dir, 'kaifang.sqlite'), 0o444);
  const r = spawnSync(process.execPath, ['bin/kaifang.js', 'serve', '--port', '0'], {
    env: { ...process.env, ...env, DATABASE_URL: '', REDIS_URL: '', HOME: dir },
    encoding: 'utf8',
    timeout: 60_000,
    ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
  });
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /KAIFANG_DATA_DIR: the store .*kaifang\.sqlite cannot be written/);

  // Writes failing after start-up (a disk gone read-only): /readyz names it.
  chmodSync(join(dir, 'kaifang.sqlite'), 0o644);
  const s = await startServer();
  t.after(() => s.close());
  assert.equal((await fetch(`${s.url}/readyz`)).status, 200);
  await sql`create trigger no_writes before update on platform_meta begin select raise(abort, 'attempt to write a readonly database'); end`.execute(
    s.k.core.db,
  );
  const ready = await fetch(`${s.url}/readyz`);
  assert.equal(ready.status, 503);
  const body = (await ready.json()) as { checks: Record<string, string> };
  assert.match(body.checks['database writable']!, /^failing: .*readonly/);
  assert.equal(body.checks.database, 'ok');
});

for (const name of backendNames()) {
  test(`admin API: every query and number is validated and bounded, with 400 naming it (${name})`, async (t) => {
    const s = await startServer({ backend: name });
    t.after(() => s.close());
    for (const [query, param] of [
      ['limit=abc', 'limit'],
      ['limit=1.5', 'limit'],
      ['limit=-1', 'limit'],
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
      ['since=abc', 'since'],
      ['until=1e400', 'until'],
      ['nope=1', 'nope'],
    ]) {
      const r = await s.admin(`/calls?${query}`);
      assert.equal(r.status, 400, `${query}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error.param, param, query);
    }
    assert.equal((await s.admin('/calls?limit=1000&since=0&front=opretail')).status, 200);

    const big = 2 ** 31;
    const key = await s.admin('/opretail/keys', { body: { username: 'n', enterpriseId: 1 } });
    const akey = key.body.applicationKey as string;
    for (const [path, method, body, param] of [
      [`/opretail/keys/${akey}`, 'PATCH', { ratePerSecond: big }, 'ratePerSecond'],
      [`/opretail/keys/${akey}`, 'PATCH', { ratePerDay: big }, 'ratePerDay'],
      [`/opretail/keys/${akey}`, 'PATCH', { enterpriseId: 2 ** 53 }, 'enterpriseId'],
      ['/opretail/methods', 'POST', { name: 'm.x', version: 'v1', url: 'http://127.0.0.1:9/', timeoutMs: 3_000_000_000 }, 'timeoutMs'],
      ['/storepos/agents', 'POST', { name: 'a', smsDailyCap: big }, 'smsDailyCap'],
      ['/opretail/keys', 'POST', { username: 'nul\u0000name', enterpriseId: 1 }, 'username'],
      ['/storepos/agents', 'POST', { name: 'line\nbreak' }, 'name'],
      ['/wechat/miniapps', 'POST', { appid: 'wx0123456789abcdef', secret: 'sec-ret-123', name: 'bell\u0007' }, 'name'],
    ] as const) {
      const r = await s.admin(path, { method, body });
      assert.equal(r.status, 400, `${path} ${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error.param, param);
    }
    // The largest allowed values are stored and read back.
    const top = await s.admin(`/opretail/keys/${akey}`, { method: 'PATCH', body: { ratePerSecond: 1_000_000, ratePerDay: 1_000_000_000 } });
    assert.equal(top.status, 200);
    assert.equal(top.body.ratePerDay, 1_000_000_000);
  });
}

test('admin token: the file follows the same 16-character rule as the setting; unknown admin routes need the token first', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kaifang-token-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'admin.token'), 'x\n', { mode: 0o600 });
  await assert.rejects(
    createKaifang(loadConfig({ KAIFANG_DATA_DIR: dir, KAIFANG_LOG_LEVEL: 'silent' })),
    (err: unknown) => err instanceof ConfigError && err.setting === join(dir, 'admin.token'),
  );
  await assert.rejects(
    createKaifang(loadConfig({ KAIFANG_DATA_DIR: dir, KAIFANG_LOG_LEVEL: 'silent', KAIFANG_ADMIN_TOKEN: 'fifteen-chars-x' })),
    (err: unknown) => err instanceof ConfigError && err.setting === 'KAIFANG_ADMIN_TOKEN',
  );

  const s = await startServer();
  t.after(() => s.close());
  const unknown = await fetch(`${s.url}/admin/api/no/such/route`);
  assert.equal(unknown.status, 401);
  assert.equal(((await unknown.json()) as { error: { kind: string } }).error.kind, 'Unauthorized');
  const known = await s.admin('/no/such/route');
  assert.equal(known.status, 404);
  assert.equal(known.body.error.kind, 'NotFound');
  const wrongVerb = await s.admin('/calls', { method: 'DELETE' });
  assert.equal(wrongVerb.status, 404);
  assert.equal(wrongVerb.body.error.kind, 'NotFound');
});

for (const name of backendNames()) {
  test(`admin API: a NUL character in any text — path, query or body — is a 400 naming the field, never a 500 (${name})`, async (t) => {
    const s = await startServer({ backend: name });
    t.after(() => s.close());
    const nul = '\u0000';
    for (const [path, method, body, param] of [
      ['/jucai/isvs', 'POST', { name: 'isv', isvNo: nul }, 'isvNo'],
      ['/jucai/merchants', 'POST', { name: 'm', isvNo: 'ISV_1', mchNo: `M${nul}1` }, 'mchNo'],
      ['/opretail/keys', 'POST', { username: 'u', enterpriseId: 1, supplierAccount: `a${nul}` }, 'supplierAccount'],
    ].filter(([path]) => installed.has(String(path).split('/')[1]!)) as [string, string, object, string][]) {
      const r = await s.admin(path, { method, body });
      assert.equal(r.status, 400, `${path} ${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error.param, param);
      assert.match(r.body.error.message, /NUL/);
    }
    // Every admin route of the OpenAPI document, its path parameters and a query given a NUL.
    const doc = (await (await fetch(`${s.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(doc.paths).filter(([path]) => path.startsWith('/admin/api/'));
    assert.ok(routes.length > 20, `${routes.length} admin routes`);
    let tried = 0;
    for (const [path, operations] of routes) {
      for (const method of Object.keys(operations)) {
        if (!['get', 'delete'].includes(method)) continue;
        const url = path.replace(/^\/admin\/api/, '').replace(/\{[^}]+\}/g, '%00');
        for (const target of [url, `${url}${url.includes('?') ? '&' : '?'}openid=%00&search=%00`]) {
          const r = await s.admin(target, { method: method.toUpperCase() });
          assert.ok(r.status < 500, `${method.toUpperCase()} ${target}: ${r.status} ${JSON.stringify(r.body)}`);
          tried++;
        }
      }
    }
    assert.ok(tried > 20);
  });
}

test('a URL the router cannot take (bad escape, a path parameter too long) answers in the shape of its path: the admin API, a front, the platform', async (t) => {
  const s = await startServer();
  t.after(() => s.close());
  for (const [path, status] of [
    ['/opretail/keys/%zz', 400],
    [`/opretail/keys/${'a'.repeat(300)}`, 414],
    ['/weiting/users/%E0%A4%A', 400],
  ] as const) {
    const r = await s.admin(path);
    assert.equal(r.status, status, path);
    assert.equal(r.body.error.kind, 'InvalidInput', JSON.stringify(r.body));
    assert.equal(r.body.error.param, 'path');
  }
  const wire = await fetch(`${s.url}/service/1.0/%zz`);
  assert.equal(wire.status, 400);
  assert.deepEqual(Object.keys((await wire.json()) as object).sort(), ['errMsg', 'status'], 'the 微厅 error shape');
  const platform = await fetch(`${s.url}/nothing/%zz`);
  assert.equal(platform.status, 400);
  assert.equal(((await platform.json()) as { error: { kind: string } }).error.kind, 'BadRequest');
});
