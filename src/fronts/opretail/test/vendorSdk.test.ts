import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backendNames } from '../../../../test/helpers/backends.ts';
import { startServer } from '../../../../test/helpers/server.ts';
import { kaifang } from '../../../../test/cli/run.ts';
import { expectCode, form, json, makeKey, signedParams, startUpstream, testSign, type Raw, type Reply } from './helpers.ts';

/**
 * What the vendor's own SDKs send (issue: outside clients): PUT and DELETE, the Java SDK's
 * `jsonUnescape` signing, imported keys with short secrets; and what the gateway answers for every
 * other method and path variant, and for a method service's oversize or too deep answer.
 */

async function send(url: string, method: string, p: Raw, where: 'body' | 'query' | 'both' = 'body', path = '/m.api'): Promise<Reply> {
  const entries = Object.entries(p);
  const half = Math.ceil(entries.length / 2);
  const inQuery = where === 'query' ? entries : where === 'both' ? entries.slice(0, half) : [];
  const inBody = where === 'body' ? entries : where === 'both' ? entries.slice(half) : [];
  const q = inQuery.length ? `?${form(Object.fromEntries(inQuery))}` : '';
  const res = await fetch(`${url}${path}${q}`, {
    method,
    headers: inBody.length ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
    ...(inBody.length ? { body: form(Object.fromEntries(inBody)) } : {}),
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, body, text, headers: res.headers };
}

/** The gateway's shape with an HTTP status other than 200 (refused unread). */
function expectRefused(r: Reply, status: number, code: number, result: RegExp): void {
  assert.equal(r.status, status, r.text);
  assert.deepEqual(Object.keys(r.body).sort(), ['data', 'result', 'stat']);
  assert.equal(r.body.stat.code, code, r.text);
  assert.equal(r.body.data, null);
  assert.match(r.body.result, result);
}

for (const backend of backendNames()) {
  test(`opretail: PUT and DELETE are served like POST and GET; other methods and paths answer in the gateway's shape (${backend})`, async (t) => {
    const s = await startServer({ backend });
    t.after(() => s.close());
    const key = await makeKey(s);
    for (const method of ['PUT', 'DELETE']) {
      for (const where of ['body', 'query', 'both'] as const) {
        const r = await send(s.url, method, signedParams(key, Date.now(), { _requestMode: method.toLowerCase() }), where);
        expectCode(r, 0, 'SUCCESS');
        assert.equal(r.body.data.applicationKey, key.akey, `${method} ${where}`);
      }
    }
    // A signature error still comes back as 7 for PUT (it really went through the gateway).
    expectCode(await send(s.url, 'PUT', { ...signedParams(key, Date.now()), _sig: 'F'.repeat(32) }), 7, 'SIGN_WRONG');

    for (const method of ['PATCH', 'OPTIONS']) {
      expectRefused(await send(s.url, method, signedParams(key, Date.now())), 405, 10, new RegExp(`HTTP ${method} is not served`));
    }
    for (const path of ['/m.api/', '/m.api/x', '/m.api/m.api']) {
      expectRefused(await send(s.url, 'POST', signedParams(key, Date.now()), 'body', path), 404, 9, /no route POST/);
    }
    // XML when the query asks for it, even for a path variant.
    const xml = await fetch(`${s.url}/m.api/?_format=xml`);
    assert.equal(xml.status, 404);
    assert.match(xml.headers.get('content-type') ?? '', /xml/);
    assert.match(await xml.text(), /<code>9<\/code>/);
  });

  test(`opretail: the Java SDK's jsonUnescape mode (data signed URL-encoded, sent raw) is accepted, and no third variant (${backend})`, async (t) => {
    const s = await startServer({ backend });
    t.after(() => s.close());
    const key = await makeKey(s);
    const data = '{"name":"张 三","note":"a*b-c.d_e~f!(g)\'h/i"}';
    // Java URLEncoder.encode(data, "UTF-8"), worked out by hand: letters, digits and . - * _ kept,
    // space as +, every other UTF-8 byte as %XX.
    const javaEncoded = '%7B%22name%22%3A%22%E5%BC%A0+%E4%B8%89%22%2C%22note%22%3A%22a*b-c.d_e%7Ef%21%28g%29%27h%2Fi%22%7D';
    const { _sig: _unused, ...base } = signedParams(key, Date.now(), { data });
    const signedEncoded = testSign({ ...base, data: javaEncoded }, key.secret);
    const r = await send(s.url, 'POST', { ...base, _sig: signedEncoded });
    expectCode(r, 0, 'SUCCESS');

    // As received still works, and a signature over some other encoding of data does not.
    expectCode(await send(s.url, 'POST', signedParams(key, Date.now(), { data })), 0, 'SUCCESS');
    const { _sig: _unused2, ...base2 } = signedParams(key, Date.now(), { data });
    const otherEncoding = encodeURIComponent(data);
    expectCode(await send(s.url, 'POST', { ...base2, _sig: testSign({ ...base2, data: otherEncoding }, key.secret) }), 7, 'SIGN_WRONG');
  });

  test(`opretail: an imported key keeps a short secret (the vendor's example "test"), with a warning (${backend})`, async (t) => {
    const s = await startServer({ backend });
    t.after(() => s.close());
    const created = await s.admin('/opretail/keys', {
      body: { username: 'moved', enterpriseId: 42, applicationKey: 'S107-moved', applicationSecret: 'test' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.secret, 'test');
    assert.equal(created.body.warnings.length, 1);
    assert.match(created.body.warnings[0], /4 characters long/);
    const p = signedParams({ akey: 'S107-moved', secret: 'test' }, Date.now());
    expectCode(await send(s.url, 'POST', p), 0, 'SUCCESS');
    // A long enough import has no warning; rotation still needs 16; a space or 129 characters are refused.
    const fine = await s.admin('/opretail/keys', {
      body: { username: 'x', enterpriseId: 1, applicationKey: 'S107-fine', applicationSecret: 'a'.repeat(16) },
    });
    assert.equal(fine.status, 201);
    assert.equal(fine.body.warnings, undefined);
    const rotate = await s.admin('/opretail/keys/S107-moved/rotate-secret', { body: { applicationSecret: 'short' } });
    assert.equal(rotate.status, 400);
    assert.equal(rotate.body.error.param, 'applicationSecret');
    for (const secret of ['has space', 'a'.repeat(129), '']) {
      const bad = await s.admin('/opretail/keys', {
        body: { username: 'x', enterpriseId: 1, applicationKey: 'S107-bad', applicationSecret: secret },
      });
      assert.equal(bad.status, 400, secret);
    }
    // A storepos agent key imported short: accepted with a warning too.
    const agent = await s.admin('/storepos/agents', { body: { name: 'moved agent', agentId: '13000000000000099', key: 'k1' } });
    assert.equal(agent.status, 201, JSON.stringify(agent.body));
    assert.match(agent.body.warnings[0], /2 characters long/);
  });

  test(`opretail: a method service's answer over the cap or nested too deep is -500, counted once (${backend})`, async (t) => {
    const s = await startServer({ backend, env: { KAIFANG_UPSTREAM_MAX_ANSWER_BYTES: '65536' } });
    t.after(() => s.close());
    const huge = 'x'.repeat(200_000);
    const up = await startUpstream((req, _body, res) => {
      if (req.url === '/huge') {
        // Streamed without a length: the gateway must cut it, not buffer it first.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"a":"');
        for (let i = 0; i < 50; i++) res.write(huge);
        res.end('"}');
      } else if (req.url === '/deep') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('['.repeat(20_000) + ']'.repeat(20_000));
      } else json(res, 200, { ok: true });
    });
    t.after(() => up.close());
    const key = await makeKey(s, { developerType: 1 });
    await s.k.fronts.opretail.methods.create({ name: 'big.answer', version: 'v1', url: `${up.url}/huge` });
    await s.k.fronts.opretail.methods.create({ name: 'deep.answer', version: 'v1', url: `${up.url}/deep` });
    const call = (mt: string) => send(s.url, 'POST', signedParams(key, Date.now(), { _mt: mt, _version: 'v1' }));
    const rssBefore = process.memoryUsage().rss;
    expectCode(await call('big.answer'), -500, 'API_SYSTEM_CALL_ERROR', /larger than 65536 bytes/);
    assert.ok(process.memoryUsage().rss - rssBefore < 100 * 1024 * 1024, 'the 10 MB answer was not buffered whole');
    expectCode(await call('deep.answer'), -500, 'API_SYSTEM_CALL_ERROR', /nested deeper than 64 levels/);
    const calls = await s.admin('/calls?front=opretail&limit=10');
    const rows = (calls.body.calls as { endpoint: string; outcome: string }[]).filter(
      (c) => c.endpoint === 'deep.answer' || c.endpoint === 'big.answer',
    );
    assert.deepEqual(rows.map((r) => r.outcome).sort(), ['-500', '-500'], 'each failed call is in the call log once');
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    assert.match(metrics, /kaifang_requests_total\{front="opretail",endpoint="deep\.answer",outcome="-500",result="upstream_error"\} 1\n/);
  });
}

test('CLI: keys import takes a short existing secret and warns on stderr; agents import too', async (t) => {
  const s = await startServer();
  t.after(() => s.close());
  await s.k.close();
  const env = s.backend.env;
  const r = await kaifang(
    env,
    ['opretail', 'keys', 'import', '--username', 'moved', '--enterprise-id', '7', '--key', 'S107-cli', '--secret', '-', '--json'],
    'test\n',
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json().secret, 'test');
  assert.match(r.stderr, /^kaifang: warning: the imported applicationSecret is 4 characters long/m);
  const a = await kaifang(env, ['storepos', 'agents', 'import', '--agent-id', '123', '--key', '-', '--name', 'moved'], 'abc\n');
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stderr, /warning: the imported key is 3 characters long/);
  const rotated = await kaifang(env, ['opretail', 'keys', 'rotate-secret', 'S107-cli', '--secret', 'short']);
  assert.equal(rotated.code, 1);
  assert.match(rotated.stderr, /applicationSecret must be 16–128/);
});
