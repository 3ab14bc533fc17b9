import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../kernel/clock.ts';
import { OpretailClient } from '../client.ts';
import { backendNames } from '../../../../test/helpers/backends.ts';
import { startServer } from '../../../../test/helpers/server.ts';
import {
  cst,
  expectCode,
  form,
  get,
  json,
  makeKey,
  postForm,
  postJson,
  postRaw,
  signedParams,
  startUpstream,
  testSign,
  xmlParser,
} from './helpers.ts';

/** Ways to send a call: form, JSON, GET, XML replies, both hashes, and what the vendor SDKs send. */
for (const backend of backendNames()) {
  test(`opretail transports and SDK compatibility (${backend})`, async (t) => {
    const clock = new ManualClock(Date.parse('2025-06-01T01:02:03Z'));
    const s = await startServer({ backend, clock });
    t.after(() => s.close());
    const key = await makeKey(s, { enterpriseId: 42 });
    const echo = await startUpstream((req, body, res) => json(res, 200, { path: req.url, got: JSON.parse(body || 'null') }));
    t.after(() => echo.close());
    const method = await s.k.fronts.opretail.methods.create({
      name: 'echo.it',
      version: 'v1',
      url: `${echo.url}/formal`,
      testUrl: `${echo.url}/test`,
    });
    await s.k.fronts.opretail.methods.grant(key.id, method);

    await t.test('GET with every parameter in the query', async () => {
      const r = await get(s.url, form(signedParams(key, clock.now(), { _requestMode: 'GET' })));
      expectCode(r, 0, 'SUCCESS');
      assert.equal(r.body.data.applicationKey, key.akey);
    });

    await t.test('sha1 signatures, and _sm / _requestMode / _format in any case', async () => {
      expectCode(await postForm(s.url, signedParams(key, clock.now(), {}, 'sha1')), 0, 'SUCCESS');
      expectCode(await postForm(s.url, signedParams(key, clock.now(), { _sm: 'SHA1' }, 'sha1')), 0, 'SUCCESS');
      for (const mode of ['post', 'POST', 'Get', 'pUt', 'DELETE']) {
        expectCode(await postForm(s.url, signedParams(key, clock.now(), { _requestMode: mode })), 0, 'SUCCESS');
      }
      expectCode(await postForm(s.url, signedParams(key, clock.now(), { _format: 'JSON' })), 0, 'SUCCESS');
      // Lowercase hex signatures are accepted too.
      const p = signedParams(key, clock.now());
      expectCode(await postForm(s.url, { ...p, _sig: p._sig!.toLowerCase() }), 0, 'SUCCESS');
    });

    await t.test('_format=xml: the same structure under <response>', async () => {
      const r = await postForm(s.url, signedParams(key, clock.now(), { _format: 'XmL' }));
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('content-type'), 'application/xml; charset=utf-8');
      assert.match(r.text, /^<\?xml version="1.0" encoding="UTF-8"\?><response><stat>/);
      const doc = xmlParser.parse(r.text).response;
      assert.equal(doc.stat.code, '0');
      assert.equal(doc.stat.codename, 'SUCCESS');
      assert.equal(doc.stat.cid, r.headers.get('x-request-id'));
      assert.equal(doc.stat.systime, String(clock.now()));
      assert.equal(doc.result, 'success');
      assert.equal(doc.data.applicationKey, key.akey);
      assert.equal(doc.data.enterpriseId, '42');
      // Errors too, with empty data.
      const bad = await postForm(s.url, { ...signedParams(key, clock.now(), { _format: 'xml' }), orgid: '1' });
      const e = xmlParser.parse(bad.text).response;
      assert.equal(e.stat.code, '7');
      assert.equal(e.stat.codename, 'SIGN_WRONG');
      assert.equal(e.data, '');
      assert.match(e.result, /_sig does not match/);
      // An unreadable body still gets XML when the query string asks for it.
      const unreadable = await postRaw(s.url, 'a=%zz', 'application/x-www-form-urlencoded', '_format=xml');
      assert.equal(unreadable.headers.get('content-type'), 'application/xml; charset=utf-8');
      const u = xmlParser.parse(unreadable.text).response;
      assert.equal(u.stat.code, '7');
      assert.match(u.result, /cannot be read.*bad percent-escape/);
    });

    await t.test('JSON body: numbers, booleans, null and nesting signed as the spec says, types kept when forwarded', async () => {
      const body = { amount: 12.5, count: 3, flag: true, off: false, none: null, obj: { b: [1, 'x'], a: '中文' }, name: '张三' };
      const textual: Record<string, string> = {
        amount: '12.5',
        count: '3',
        flag: 'true',
        off: 'false',
        none: '',
        obj: '{"b":[1,"x"],"a":"中文"}',
        name: '张三',
      };
      const sys = signedParams(key, clock.now(), { _mt: 'echo.it', _version: 'v1', orgid: undefined, nonce: undefined, ...textual });
      for (const n of Object.keys(textual)) delete sys[n];
      const r = await postJson(s.url, { ...sys, ...body });
      expectCode(r, 0, 'SUCCESS');
      assert.deepEqual(r.body.data, { path: '/formal', got: body });
    });

    await t.test('Java SDK: every parameter in the query string of a POST with an empty body, and mixed', async () => {
      const p = signedParams(key, clock.now());
      expectCode(await postRaw(s.url, '', 'application/x-www-form-urlencoded', form(p)), 0, 'SUCCESS');
      const q = signedParams(key, clock.now());
      const { orgid, nonce, ...sys } = q;
      expectCode(await postForm(s.url, { orgid: orgid!, nonce: nonce! }, { query: form(sys) }), 0, 'SUCCESS');
      // A name in both with the same value is fine.
      const both = signedParams(key, clock.now());
      expectCode(await postForm(s.url, both, { query: form({ _akey: both._akey! }) }), 0, 'SUCCESS');
    });

    await t.test('Java SDK JSON mode: URL-encoded values accepted when the decoded ones were signed; decoded values used', async () => {
      const plain = { title: '春季 促销&优惠=50%', orgid: '42' };
      const p = signedParams(key, clock.now(), { _mt: 'echo.it', _version: 'v1', nonce: undefined, ...plain });
      const encoded: Record<string, string> = {};
      for (const [n, v] of Object.entries(p)) encoded[n] = encodeURIComponent(v).replace(/%20/g, '+');
      assert.notEqual(encoded.title, plain.title);
      const r = await postJson(s.url, encoded);
      expectCode(r, 0, 'SUCCESS');
      assert.deepEqual(r.body.data.got, plain);
      // Signed as sent (a value that merely looks encoded) is taken as sent.
      const literal = signedParams(key, clock.now(), {
        _mt: 'echo.it',
        _version: 'v1',
        nonce: undefined,
        orgid: undefined,
        title: 'a%20b+c',
      });
      const r2 = await postJson(s.url, literal);
      expectCode(r2, 0, 'SUCCESS');
      assert.deepEqual(r2.body.data.got, { title: 'a%20b+c' });
      // Neither matches: 7.
      expectCode(await postJson(s.url, { ...encoded, _sig: testSign({ ...p, title: 'x' }, key.secret) }), 7, 'SIGN_WRONG');
    });

    await t.test('environment header test/dev and test keys go to the test URL; formal stays', async () => {
      const path = async (headers: Record<string, string>, k = key) =>
        (await postForm(s.url, signedParams(k, clock.now(), { _mt: 'echo.it', _version: 'v1' }), { headers })).body.data.path;
      assert.equal(await path({}), '/formal');
      assert.equal(await path({ environment: 'formal' }), '/formal');
      assert.equal(await path({ environment: 'test' }), '/test');
      assert.equal(await path({ environment: 'dev' }), '/test');
      const testKey = await makeKey(s, { keytype: 2 });
      await s.k.fronts.opretail.methods.grant(testKey.id, method);
      assert.equal(await path({}, testKey), '/test');
      // A method without a test URL serves test keys from its URL.
      const plainMethod = await s.k.fronts.opretail.methods.create({ name: 'echo.formal', version: 'v1', url: `${echo.url}/only` });
      await s.k.fronts.opretail.methods.grant(testKey.id, plainMethod);
      const r = await postForm(s.url, signedParams(testKey, clock.now(), { _mt: 'echo.formal', _version: 'v1' }));
      assert.equal(r.body.data.path, '/only');
    });

    await t.test('OpretailClient: form, json and get; md5 and sha1; json and xml; authenticate v1 and v2', async () => {
      for (const transport of ['form', 'json', 'get'] as const) {
        for (const signMethod of ['md5', 'sha1'] as const) {
          for (const format of ['json', 'xml'] as const) {
            const c = new OpretailClient({
              baseUrl: s.url,
              applicationKey: key.akey,
              applicationSecret: key.secret,
              transport,
              signMethod,
              format,
              clock,
            });
            const r = await c.authenticate(42, transport === 'get' ? 'v1' : 'v2');
            assert.equal(r.stat.code, 0, `${transport} ${signMethod} ${format}: ${r.result}`);
            assert.equal(r.stat.codename, 'SUCCESS');
            assert.equal(typeof r.stat.systime, 'number');
            assert.equal(String(r.data?.applicationKey), key.akey);
            // Replay guard sees each call once: clients must not reuse a timestamp+params pair.
            clock.advance(1000);
          }
        }
      }
      const c = new OpretailClient({
        baseUrl: `${s.url}/m.api`,
        applicationKey: key.akey,
        applicationSecret: key.secret,
        transport: 'json',
        clock,
      });
      const echoed = await c.call<{ got: unknown }>('echo.it', 'v1', { n: 5, list: [1, 2], s: '文字' });
      assert.equal(echoed.stat.code, 0);
      assert.deepEqual(echoed.data?.got, { n: 5, list: [1, 2], s: '文字' });
      clock.advance(1000);
      const wrong = new OpretailClient({
        baseUrl: s.url,
        applicationKey: key.akey,
        applicationSecret: 'not-the-secret-000000000000000000',
        clock,
      });
      const bad = await wrong.authenticate(42);
      assert.equal(bad.stat.code, 7);
      assert.equal(bad.data, null);
      const other = await c.authenticate(43);
      assert.equal(other.stat.code, 102005);
      const env = new OpretailClient({
        baseUrl: s.url,
        applicationKey: key.akey,
        applicationSecret: key.secret,
        environment: 'test',
        clock,
      });
      assert.equal((await env.call<{ path: string }>('echo.it', 'v1', { z: 1 })).data?.path, '/test');
      // The client signs what the test-side signer signs.
      const signed = c.sign('open.gateway.authentication', 'v2', { orgid: 42 });
      assert.equal(signed._timestamp, cst(clock.now()));
      const asText = Object.fromEntries(Object.entries(signed).map(([n, v]) => [n, String(v)]));
      assert.equal(signed._sig, testSign(asText, key.secret));
    });
  });
}
