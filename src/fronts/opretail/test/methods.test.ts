import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../../../server/config.ts';
import { createKaifang } from '../../../server/kaifang.ts';
import { backendNames } from '../../../../test/helpers/backends.ts';
import { startServer } from '../../../../test/helpers/server.ts';
import { expectCode, json, makeKey, postForm, signedParams, startUpstream } from './helpers.ts';

/** Operator-registered methods: forwarding, grants, and changes made by another process. */
for (const backend of backendNames()) {
  test(`opretail registered methods (${backend})`, async (t) => {
    const s = await startServer({ backend, config: { cacheTtlMs: 200 } });
    t.after(() => s.close());
    const up = await startUpstream((req, _body, res) => json(res, 200, { served: req.url, items: [{ id: 1, name: '门店一' }] }));
    t.after(() => up.close());
    const key = await makeKey(s, { enterpriseId: 77 });
    const method = await s.k.fronts.opretail.methods.create({ name: 'shop.list', version: 'v1', url: `${up.url}/shops` });

    await t.test('forwards only the business parameters as JSON with the caller headers; data is the JSON answer', async () => {
      expectCode(await postForm(s.url, signedParams(key, Date.now(), { _mt: 'shop.list', _version: 'v1' })), 9, 'METHOD_NOTEXIST_CODE');
      assert.equal(up.received.length, 0);
      await s.k.fronts.opretail.methods.grant(key.id, method);
      const p = signedParams(key, Date.now(), {
        _mt: 'shop.list',
        _version: 'v1',
        _format: 'json',
        orgid: undefined,
        nonce: undefined,
        page: '2',
        q: '上海 店',
      });
      const r = await postForm(s.url, p, { headers: { 'x-request-id': 'trace-123' } });
      expectCode(r, 0, 'SUCCESS');
      assert.equal(r.body.stat.cid, 'trace-123');
      assert.deepEqual(r.body.data, { served: '/shops', items: [{ id: 1, name: '门店一' }] });
      assert.equal(up.received.length, 1);
      const got = up.received[0]!;
      assert.deepEqual(got.body, { page: '2', q: '上海 店' });
      assert.match(String(got.headers['content-type']), /^application\/json/);
      assert.equal(got.headers['x-kaifang-akey'], key.akey);
      assert.equal(got.headers['x-kaifang-enterprise-id'], '77');
      assert.equal(got.headers['x-request-id'], 'trace-123');
      assert.ok(!JSON.stringify(got).includes(key.secret));
      assert.ok(!JSON.stringify(got).includes(p._sig!));
    });

    await t.test('administrator keys (developerType 1) get every method without grants', async () => {
      const admin = await makeKey(s, { developerType: 1 });
      await s.k.fronts.opretail.methods.create({ name: 'admin.only', version: 'v9', url: `${up.url}/admin` });
      const r = await postForm(s.url, signedParams(admin, Date.now(), { _mt: 'admin.only', _version: 'v9' }));
      expectCode(r, 0, 'SUCCESS');
      assert.equal(r.body.data.served, '/admin');
      const normal = await makeKey(s, { developerType: 3 });
      expectCode(await postForm(s.url, signedParams(normal, Date.now(), { _mt: 'admin.only', _version: 'v9' })), 9, 'METHOD_NOTEXIST_CODE');
    });

    await t.test('a method created, then disabled, by another kaifang instance (the CLI) is seen within seconds', async () => {
      const cli = await createKaifang(loadConfig(s.backend.env), { migrate: false });
      t.after(() => cli.close());
      const admin = await makeKey(s, { developerType: 1 });
      const call = () => postForm(s.url, signedParams(admin, Date.now(), { _mt: 'late.added', _version: 'v1' }));
      // Cached as missing first, so the change must travel through the cache expiry.
      expectCode(await call(), 9, 'METHOD_NOTEXIST_CODE');
      await cli.fronts.opretail.methods.create({ name: 'late.added', version: 'v1', url: `${up.url}/late` });
      const until = async (code: number) => {
        const deadline = Date.now() + 15_000;
        for (;;) {
          const r = await call();
          if (r.body.stat.code === code) return r;
          assert.ok(Date.now() < deadline, `still ${r.body.stat.code} after 15 s: ${r.text}`);
          await sleep(100);
        }
      };
      assert.equal((await until(0)).body.data.served, '/late');
      await cli.fronts.opretail.methods.setEnabled('late.added', 'v1', false);
      expectCode(await until(9), 9, 'METHOD_NOTEXIST_CODE');
      // A key disabled by the other instance stops working the same way.
      await cli.fronts.opretail.keys.setEnabled(admin.akey, false);
      await until(2);
    });
  });
}
