import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../kernel/clock.ts';
import { backendNames } from '../../../../test/helpers/backends.ts';
import { startServer, type TestServer } from '../../../../test/helpers/server.ts';
import { expectCode, freePort, json, makeKey, postForm, signedParams, startUpstream, testSign, type Raw } from './helpers.ts';

/** Every return code of the spec, over real HTTP, raw fetch and a test-side signer. */
for (const backend of backendNames()) {
  test(`opretail return codes (${backend})`, async (t) => {
    const clock = new ManualClock(Date.parse('2025-03-01T04:00:00Z'));
    const s: TestServer = await startServer({ backend, clock });
    t.after(() => s.close());
    const key = await makeKey(s, { username: 'acme', enterpriseId: 42 });
    const call = (extra: Record<string, string | undefined> = {}, sm: 'md5' | 'sha1' = 'md5') =>
      postForm(s.url, signedParams(key, clock.now(), extra, sm));

    await t.test('0 SUCCESS: the key record, field by field', async () => {
      const r = await call();
      expectCode(r, 0, 'SUCCESS');
      assert.equal(r.body.stat.systime, clock.now());
      assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
      const d = r.body.data;
      assert.deepEqual(Object.keys(d).sort(), [
        'applicationId',
        'applicationKey',
        'applicationSecret',
        'developerType',
        'enterpriseId',
        'expire',
        'id',
        'ifexpire',
        'keytype',
        'shopwebEnterpriseId',
        'supplierAccount',
        'switchStatus',
        'switchTime',
        'username',
      ]);
      assert.equal(d.id, key.id);
      assert.equal(d.username, 'acme');
      assert.equal(d.applicationId, 'S107');
      assert.equal(d.applicationKey, key.akey);
      assert.match(d.applicationKey, /^S107-/);
      assert.equal(d.applicationSecret, key.secret);
      assert.equal(d.keytype, 1);
      assert.equal(d.ifexpire, 1);
      assert.equal(d.expire, null);
      assert.equal(d.enterpriseId, 42);
      assert.equal(d.shopwebEnterpriseId, null);
      assert.equal(d.switchStatus, '1');
      assert.equal(d.switchTime, '2025-03-01 12:00:00');
      assert.equal(d.developerType, 2);
      assert.equal(d.supplierAccount, null);
    });

    await t.test('missing parameters, in the spec order: 1, 4, 6, 8, 10, 11, 13, 14', async () => {
      const order: [string, number, string][] = [
        ['_akey', 1, 'KEY_NOTNULL'],
        ['_sm', 4, 'SIGN_METHOD_NOTNULL'],
        ['_sig', 6, 'SIGN_NOTNULL'],
        ['_mt', 8, 'METHOD_NOTNULL'],
        ['_requestMode', 10, 'REQUESTMODE_NOTNULL'],
        ['_aid', 11, 'APPLICATIONID_NOTNULL'],
        ['_version', 13, 'VERSION_NOTNULL'],
        ['_timestamp', 14, 'TIMESTAMP_NOTNULL'],
      ];
      // Drop this parameter and every later one: the earliest missing one decides.
      for (let i = 0; i < order.length; i++) {
        const drop: Record<string, undefined> = {};
        for (const [name] of order.slice(i)) drop[name] = undefined;
        const p = signedParams(key, clock.now(), drop);
        if (i <= 2) delete p._sig;
        const [name, code, codename] = order[i]!;
        expectCode(await postForm(s.url, p), code, codename, new RegExp(`${name} is required`));
        // Empty counts as missing.
        expectCode(await postForm(s.url, { ...p, [name]: '' }), code, codename, new RegExp(name));
      }
      expectCode(await postForm(s.url, {}), 1, 'KEY_NOTNULL');
    });

    await t.test('bad values: 5, 10, 15, 17, checked before the key', async () => {
      const unknown = { akey: 'S107-unknown', secret: 'x'.repeat(32) };
      expectCode(
        await postForm(s.url, signedParams(unknown, clock.now(), { _sm: 'sha256' })),
        5,
        'SIGN_TYPE_NOTEXIST',
        /_sm must be md5 or sha1, got "sha256"/,
      );
      expectCode(await call({ _requestMode: 'patch' }), 10, 'REQUESTMODE_NOTNULL', /_requestMode must be post, get, put or delete/);
      expectCode(await call({ _timestamp: '20250230120000' }), 15, 'TIMESTAMP_FORMAT_ERROR', /yyyyMMddHHmmss/);
      expectCode(await call({ _timestamp: '2025-03-01 12:00:00' }), 15, 'TIMESTAMP_FORMAT_ERROR');
      expectCode(await call({ _format: 'yaml' }), 17, 'FORMAT_TYPE_NOTEXIST', /_format must be json \(the default\) or xml, got "yaml"/);
      expectCode(await postForm(s.url, signedParams(unknown, clock.now(), { _format: 'yaml' })), 17, 'FORMAT_TYPE_NOTEXIST');
    });

    await t.test('2 KEY_UNLAWFUL: unknown key and disabled key', async () => {
      expectCode(
        await postForm(s.url, signedParams({ akey: 'S107-unknown', secret: key.secret }, clock.now())),
        2,
        'KEY_UNLAWFUL',
        /S107-unknown.*not a developer key/,
      );
      const off = await makeKey(s);
      await s.k.fronts.opretail.keys.setEnabled(off.akey, false);
      expectCode(await postForm(s.url, signedParams(off, clock.now())), 2, 'KEY_UNLAWFUL', /disabled/);
      // The refusal names the disabled key in the call log (its id is public); an unknown one is not recorded as a credential.
      const refused = await s.k.callLog.query({ limit: 2 });
      assert.deepEqual(
        refused.map((r) => [r.outcome, r.credential]),
        [
          ['2', off.akey],
          ['2', null],
        ],
      );
      await s.k.fronts.opretail.keys.setEnabled(off.akey, true);
      expectCode(await postForm(s.url, signedParams(off, clock.now())), 0, 'SUCCESS');
    });

    await t.test("12 APPLICATIONID_NOTSAME: _aid not this deployment's, and not the key's", async () => {
      expectCode(await call({ _aid: 'S999' }), 12, 'APPLICATIONID_NOTSAME', /this platform's system number "S107", got "S999"/);
      const other = await makeKey(s, { applicationId: 'S200' });
      expectCode(
        await postForm(s.url, signedParams(other, clock.now(), { _aid: 'S107' })),
        12,
        'APPLICATIONID_NOTSAME',
        /does not match this key's application id "S200"/,
      );
    });

    await t.test('3 KEY_HAS_EXPIRED: expire in the past, and expired now; before the signature', async () => {
      const past = await makeKey(s, { expire: clock.now() - 86_400_000 });
      expectCode(await postForm(s.url, signedParams(past, clock.now())), 3, 'KEY_HAS_EXPIRED', /expired/);
      expectCode(await postForm(s.url, signedParams(past, clock.now(), { _sig: 'BAD' })), 3, 'KEY_HAS_EXPIRED');
      const soon = await makeKey(s, { expire: clock.now() + 60_000 });
      const ok = await postForm(s.url, signedParams(soon, clock.now(), { orgid: '42' }));
      expectCode(ok, 0, 'SUCCESS');
      assert.equal(ok.body.data.ifexpire, 3);
      await s.k.fronts.opretail.keys.expire(soon.akey);
      expectCode(await postForm(s.url, signedParams(soon, clock.now())), 3, 'KEY_HAS_EXPIRED');
    });

    await t.test('16 TIMESTAMP_OVERTIME: outside ±600 s, the window edge accepted', async () => {
      expectCode(await postForm(s.url, signedParams(key, clock.now() - 601_000)), 16, 'TIMESTAMP_OVERTIME', /600 s/);
      expectCode(await postForm(s.url, signedParams(key, clock.now() + 601_000)), 16, 'TIMESTAMP_OVERTIME');
      expectCode(await postForm(s.url, signedParams(key, clock.now() - 600_000)), 0, 'SUCCESS');
      expectCode(await postForm(s.url, signedParams(key, clock.now() + 600_000)), 0, 'SUCCESS');
      // The window is checked before the signature.
      expectCode(await postForm(s.url, signedParams(key, clock.now() - 3600_000, { _sig: 'BAD' })), 16, 'TIMESTAMP_OVERTIME');
    });

    await t.test('7 SIGN_WRONG: sandbox message shows the masked string to sign, never the secret', async () => {
      const p = signedParams(key, clock.now());
      const result = expectCode(await postForm(s.url, { ...p, orgid: '43' }), 7, 'SIGN_WRONG', /_sig does not match/);
      assert.ok(result.includes(`<secret>_aidS107_akey${key.akey}`), result);
      assert.ok(result.endsWith(`orgid43<secret>`), result);
      assert.ok(!result.includes(key.secret));
      assert.ok(!result.includes(p._sig!));
      // The signature check wrote nothing: the same _sig with the signed values still succeeds.
      expectCode(await postForm(s.url, p), 0, 'SUCCESS');
      // md5 signature announced as sha1.
      expectCode(await postForm(s.url, { ...signedParams(key, clock.now()), _sm: 'sha1' }), 7, 'SIGN_WRONG');
    });

    await t.test('7 SIGN_WRONG: a parameter in query and body with different values', async () => {
      const p = signedParams(key, clock.now());
      const r = await postForm(s.url, p, { query: 'orgid=43' });
      expectCode(r, 7, 'SIGN_WRONG', /parameter "orgid" is given in both the query string and the body with different values/);
      expectCode(await postForm(s.url, p, { query: 'orgid=42' }), 0, 'SUCCESS');
    });

    await t.test('-100 API_CALL_REPEAT: same _akey + _sig again, in any case', async () => {
      const p = signedParams(key, clock.now());
      expectCode(await postForm(s.url, p), 0, 'SUCCESS');
      expectCode(await postForm(s.url, p), -100, 'API_CALL_REPEAT', /already received/);
      expectCode(await postForm(s.url, { ...p, _sig: p._sig!.toLowerCase() }), -100, 'API_CALL_REPEAT');
    });

    await t.test('9 METHOD_NOTEXIST_CODE: unknown, unknown version, registered but not granted', async () => {
      expectCode(await call({ _mt: 'no.such.method' }), 9, 'METHOD_NOTEXIST_CODE', /no method "no.such.method" version "v2" is registered/);
      expectCode(await call({ _version: 'v3' }), 9, 'METHOD_NOTEXIST_CODE', /"open.gateway.authentication" version "v3"/);
      await s.k.fronts.opretail.methods.create({ name: 'shop.list', version: 'v1', url: 'http://127.0.0.1:9/' });
      expectCode(await call({ _mt: 'shop.list', _version: 'v1' }), 9, 'METHOD_NOTEXIST_CODE', /not granted to this _akey/);
    });

    await t.test('18 CALL_LIMITED: per second and per day per key; counters move only for granted methods', async () => {
      const k2 = await makeKey(s, { ratePerSecond: 3 });
      const c2 = (extra: Record<string, string> = {}) => postForm(s.url, signedParams(k2, clock.now(), extra));
      // Rejected calls (unknown method) count nothing.
      for (let i = 0; i < 5; i++) expectCode(await c2({ _mt: 'no.such' }), 9, 'METHOD_NOTEXIST_CODE');
      const codes = [];
      for (let i = 0; i < 5; i++) codes.push((await c2()).body.stat.code);
      assert.deepEqual(codes, [0, 0, 0, 18, 18]);
      expectCode(await c2(), 18, 'CALL_LIMITED', /more than 3 calls per second/);
      clock.advance(1000);
      expectCode(await c2(), 0, 'SUCCESS');
      // Another key is not affected.
      expectCode(await call(), 0, 'SUCCESS');

      const k3 = await makeKey(s, { ratePerDay: 2 });
      const c3 = () => postForm(s.url, signedParams(k3, clock.now()));
      expectCode(await c3(), 0, 'SUCCESS');
      clock.advance(1000);
      expectCode(await c3(), 0, 'SUCCESS');
      clock.advance(1000);
      expectCode(await c3(), 18, 'CALL_LIMITED', /more than 2 calls today/);
      clock.advance(86_400_000);
      expectCode(await c3(), 0, 'SUCCESS');
    });

    await t.test("18 CALL_LIMITED: a method's own per-second limit, per key", async () => {
      const up = await startUpstream((_req, _body, res) => json(res, 200, { ok: true }));
      t.after(() => up.close());
      const m = await s.k.fronts.opretail.methods.create({ name: 'limited.m', version: 'v1', url: up.url, ratePerSecond: 1 });
      const a = await makeKey(s);
      const b = await makeKey(s);
      await s.k.fronts.opretail.methods.grant(a.id, m);
      await s.k.fronts.opretail.methods.grant(b.id, m);
      const lim = (kk: typeof a) => postForm(s.url, signedParams(kk, clock.now(), { _mt: 'limited.m', _version: 'v1' }));
      expectCode(await lim(a), 0, 'SUCCESS');
      expectCode(await lim(a), 18, 'CALL_LIMITED', /limited\.m v1: more than 1 calls per second/);
      expectCode(await lim(b), 0, 'SUCCESS');
      // The key's other methods are not limited by this method's limit.
      expectCode(await postForm(s.url, signedParams(a, clock.now())), 0, 'SUCCESS');
      assert.equal(up.received.length, 2);
    });

    await t.test('-500 API_SYSTEM_CALL_ERROR: timeout, connection refused, non-2xx, not JSON', async () => {
      const slow = await startUpstream((_req, _body, res) => setTimeout(() => json(res, 200, { late: true }), 3000));
      const bad = await startUpstream((req, _body, res) => {
        if (req.url === '/503') json(res, 503, { error: 'down' });
        else {
          res.writeHead(200, { 'content-type': 'text/html' });
          res.end('<html>oops</html>');
        }
      });
      t.after(async () => {
        await slow.close();
        await bad.close();
      });
      const admin = await makeKey(s, { developerType: 1 });
      const methods = s.k.fronts.opretail.methods;
      await methods.create({ name: 'f.slow', version: 'v1', url: slow.url, timeoutMs: 200 });
      await methods.create({ name: 'f.refused', version: 'v1', url: `http://127.0.0.1:${await freePort()}/` });
      await methods.create({ name: 'f.503', version: 'v1', url: `${bad.url}/503` });
      await methods.create({ name: 'f.html', version: 'v1', url: `${bad.url}/html` });
      const run = (mt: string) => postForm(s.url, signedParams(admin, clock.now(), { _mt: mt, _version: 'v1' }));
      const r = expectCode(
        await run('f.slow'),
        -500,
        'API_SYSTEM_CALL_ERROR',
        /method f\.slow v1: the service did not answer within 200 ms/,
      );
      assert.ok(!r.includes(slow.url));
      expectCode(await run('f.refused'), -500, 'API_SYSTEM_CALL_ERROR', /could not be reached/);
      expectCode(await run('f.503'), -500, 'API_SYSTEM_CALL_ERROR', /answered HTTP 503/);
      expectCode(await run('f.html'), -500, 'API_SYSTEM_CALL_ERROR', /not JSON/);
      const metrics = await (await fetch(`${s.url}/metrics`)).text();
      assert.match(metrics, /kaifang_upstream_calls_total\{upstream="opretail-method",outcome="unavailable"\} 4/);
    });

    await t.test('-999 UNKNOWN_ERROR: an unexpected throw, no stack trace to the caller', async () => {
      const methods = s.k.fronts.opretail.methods;
      const original = methods.resolve;
      methods.resolve = async () => {
        throw new Error('boom: internal detail');
      };
      try {
        const r = await call({ _mt: 'any.method' });
        const result = expectCode(r, -999, 'UNKNOWN_ERROR', /unexpected error/);
        assert.ok(!result.includes('boom') && !/\bat \S+ \(/.test(r.text), r.text);
      } finally {
        methods.resolve = original;
      }
      expectCode(await call({ _mt: 'no.such' }), 9, 'METHOD_NOTEXIST_CODE');
    });

    await t.test('business codes 102001 PARAM_ERROR and 102005 IDENTITY_INFORMATION_WRONG', async () => {
      expectCode(await call({ orgid: undefined }), 102001, 'PARAM_ERROR', /orgid is required/);
      expectCode(await call({ orgid: '' }), 102001, 'PARAM_ERROR', /orgid is required/);
      expectCode(await call({ orgid: '4x2' }), 102001, 'PARAM_ERROR', /orgid must be an integer, got "4x2"/);
      expectCode(await call({ orgid: '43' }), 102005, 'IDENTITY_INFORMATION_WRONG', /does not match the enterprise id 43/);
      expectCode(await call({ orgid: '42', _version: 'v1' }), 0, 'SUCCESS');
    });

    await t.test('a call-log row per call, with the key and never the secret', async () => {
      await s.k.callLog.flush();
      const rows = (await s.admin(`/calls?front=opretail&credential=${key.akey}&limit=1000`)).body.calls as Record<string, unknown>[];
      assert.ok(rows.length > 10);
      assert.ok(rows.some((r) => r.outcome === '0' && r.endpoint === 'open.gateway.authentication'));
      assert.ok(rows.some((r) => r.outcome === '7'));
      assert.ok(!JSON.stringify(rows).includes(key.secret));
    });
  });

  test(`opretail SIGN_WRONG outside sandbox mode does not show the string to sign (${backend})`, async (t) => {
    const s = await startServer({ backend, config: { upstreamMode: 'live', smsProvider: 'none' } });
    t.after(() => s.close());
    const key = await makeKey(s);
    const p: Raw = signedParams(key, Date.now());
    const result = expectCode(await postForm(s.url, { ...p, orgid: '7' }), 7, 'SIGN_WRONG', /_sig does not match/);
    assert.ok(!result.includes('<secret>') && !result.includes('_aidS107'), result);
    assert.equal(testSign(p, key.secret), p._sig);
  });
}
