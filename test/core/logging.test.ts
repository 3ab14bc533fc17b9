import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/server/config.ts';
import { createLogger, jsonString, REDACTED_FIELDS } from '../../src/server/logger.ts';
import { createKaifang } from '../../src/server/kaifang.ts';
import { buildApp } from '../../src/server/app.ts';
import { makeBackend, TEST_ADMIN_TOKEN } from '../helpers/backends.ts';

/** A pino destination that keeps every line, parsed. */
function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((l) => l !== ''),
      );
      done();
    },
  });
  return { stream, lines, text: () => lines.join('\n'), records: () => lines.map((l) => JSON.parse(l) as Record<string, any>) };
}

const flush = () => new Promise((r) => setImmediate(r));

/** A whole server on port 0 logging at info into `out`; closed after the test. */
async function loggedServer(t: { after(fn: () => unknown): void }) {
  const backend = await makeBackend('sqlite');
  const out = capture();
  const config = loadConfig({ ...backend.env, KAIFANG_LOG_LEVEL: 'info' }, { port: 0 });
  const k = await createKaifang(config, { logger: createLogger('info', out.stream) });
  const app = await buildApp(k);
  t.after(async () => {
    await app.close();
    await k.close();
    await backend.cleanup();
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { out, app, base: `http://127.0.0.1:${(app.server.address() as { port: number }).port}` };
}

test('every redacted field is hidden at the top level and one level down; other fields are kept', async () => {
  const out = capture();
  const log = createLogger('info', out.stream);
  for (const field of REDACTED_FIELDS) {
    log.info({ [field]: `TOP-${field}-VALUE`, nested: { [field]: `NESTED-${field}-VALUE`, visible: 'kept' } }, field);
  }
  log.info(
    {
      keyInfo: { applicationKey: 'S107-visible', applicationSecret: 'SECRET-NESTED', sign: 'SIGN-NESTED' },
      upstream: { session_key: 'SESSION-NESTED', openid: 'visible-openid' },
      req: { headers: { authorization: 'Bearer ADMIN-TOKEN', cookie: 'sid=COOKIE' }, method: 'GET', url: '/x?_sig=SIG-IN-URL' },
    },
    'a call',
  );
  await flush();
  const text = out.text();
  for (const field of REDACTED_FIELDS) {
    assert.ok(!text.includes(`TOP-${field}-VALUE`), `top-level ${field} leaked`);
    assert.ok(!text.includes(`NESTED-${field}-VALUE`), `nested ${field} leaked`);
  }
  for (const secret of ['SECRET-NESTED', 'SIGN-NESTED', 'SESSION-NESTED', 'ADMIN-TOKEN', 'COOKIE', 'SIG-IN-URL']) {
    assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
  }
  const records = out.records();
  assert.equal(records.length, REDACTED_FIELDS.length + 1);
  assert.equal(records[0]!.nested.visible, 'kept');
  const last = records.at(-1)!;
  assert.equal(last.keyInfo.applicationSecret, '[redacted]');
  assert.equal(last.keyInfo.applicationKey, 'S107-visible');
  assert.equal(last.upstream.openid, 'visible-openid');
  assert.equal(last.req.url, '/x');
  assert.equal(last.msg, 'a call');
});

test('a whole server: secret-bearing query strings, bodies and tokens never reach the log lines', async (t) => {
  const { out, app, base } = await loggedServer(t);

  const health = await fetch(`${base}/healthz?_sig=SECRET123&applicationSecret=SECRETAPP`);
  assert.equal(health.status, 200);
  // an unknown route (Fastify's 404 handler logs the route it did not find)
  const missing = await fetch(`${base}/no-such-route?_sig=SECRET404&sign=SECRETSIGN`);
  assert.equal(missing.status, 404);
  // the opretail gateway, signed parameters in the query and in a form body
  await fetch(`${base}/m.api?_akey=S107-x&_sig=SECRETGW&_sm=md5&_mt=a.b&_requestMode=get&_aid=S107&_version=v1&_timestamp=20250101120000`);
  await fetch(`${base}/m.api?_sig=SECRETQ2`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'applicationSecret=SECRETBODY&_sig=SECRETBODYSIG',
  });
  // the admin API, with the right token and with a wrong one
  const admin = await fetch(`${base}/admin/api/calls?credential=SECRETADMINQ`, {
    headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
  });
  assert.equal(admin.status, 200);
  const wrong = await fetch(`${base}/admin/api/calls`, { headers: { authorization: 'Bearer SECRETWRONGTOKEN' } });
  assert.equal(wrong.status, 401);
  await app.close();
  await flush();

  const text = out.text();
  // logging was on: the requests are there, with their paths and request ids
  const records = out.records();
  const urls = records.filter((r) => r.req).map((r) => r.req.url as string);
  assert.ok(urls.includes('/healthz'), `no request line for /healthz in ${text}`);
  assert.ok(urls.includes('/no-such-route'), text);
  assert.ok(
    records.filter((r) => r.req || r.res).every((r) => typeof r.reqId === 'string'),
    'every request line has a request id',
  );
  for (const secret of [
    'SECRET123',
    'SECRETAPP',
    'SECRET404',
    'SECRETSIGN',
    'SECRETGW',
    'SECRETQ2',
    'SECRETBODY',
    'SECRETBODYSIG',
    'SECRETADMINQ',
    'SECRETWRONGTOKEN',
    TEST_ADMIN_TOKEN,
  ]) {
    assert.ok(!text.includes(secret), `${secret} appears in the log:\n${out.lines.filter((l) => l.includes(secret)).join('\n')}`);
  }
});

test('the access line: the fields pino would write, in its order; a path with a quote and UTF-8 stays one valid JSON line', async (t) => {
  const { out, app, base } = await loggedServer(t);
  const r = await fetch(`${base}/m.api?_sig=SECRETQ`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-request-id': 'access.line-1' },
    body: 'a=1',
  });
  assert.equal(r.status, 200);
  await fetch(`${base}/%E8%B7%AF%E5%BE%84"quoted?x=1`, { headers: { 'x-request-id': 'access.line-2' } });
  await app.close();
  await flush();

  const lines = out.lines.filter((l) => l.includes('"access.line-'));
  const first = JSON.parse(lines.find((l) => l.includes('access.line-1'))!) as Record<string, any>;
  assert.deepEqual(Object.keys(first), ['level', 'time', 'pid', 'hostname', 'reqId', 'req', 'res', 'responseTime', 'msg']);
  assert.deepEqual(
    { ...first, time: typeof first.time, responseTime: typeof first.responseTime, hostname: typeof first.hostname },
    {
      level: 30,
      time: 'number',
      pid: process.pid,
      hostname: 'string',
      reqId: 'access.line-1',
      req: { method: 'POST', url: '/m.api', ip: '127.0.0.1' },
      res: { statusCode: 200 },
      responseTime: 'number',
      msg: 'request completed',
    },
  );
  assert.ok(Math.abs(first.time - Date.now()) < 60_000);
  assert.ok(!out.text().includes('SECRETQ'));
  // A path with a quote and UTF-8 stays one valid JSON line (the 404's own line, then the access line).
  const second = lines.filter((l) => l.includes('access.line-2')).map((l) => JSON.parse(l) as Record<string, any>);
  assert.equal(second.at(-1)!.res.statusCode, 404);
  assert.equal(second.at(-1)!.req.url, '/%E8%B7%AF%E5%BE%84%22quoted');
});

test('jsonString writes what JSON.stringify writes: every character up to U+00FF, alone and among plain ones, and random texts', () => {
  for (let c = 0; c <= 0xff; c++) {
    for (const text of [String.fromCharCode(c), `/a${String.fromCharCode(c)}b.c`])
      assert.equal(jsonString(text), JSON.stringify(text), `U+${c.toString(16)}`);
  }
  const alphabet = ['a', 'Z', '0', '/', '-', '.', ':', '%', ' ', '"', '\\', '\n', '\u2028', '中', '\ud83d\ude00', '\ud800'];
  let seed = 7;
  const rand = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  for (let i = 0; i < 20_000; i++) {
    let text = '';
    for (let n = rand(12); n > 0; n--) text += alphabet[rand(alphabet.length)];
    assert.equal(jsonString(text), JSON.stringify(text), JSON.stringify(text));
  }
  assert.equal(jsonString(''), '""');
});
