import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backendNames } from '../../../../test/helpers/backends.ts';
import { startServer } from '../../../../test/helpers/server.ts';

const METHODS = '/opretail/methods';
const KEYS = '/opretail/keys';

for (const backend of backendNames()) {
  test(`opretail admin: methods and grants (${backend})`, async (t) => {
    const s = await startServer({ backend });
    t.after(() => s.close());

    await t.test('POST /methods registers a method; a duplicate is 409', async () => {
      const body = {
        name: 'shop.order.list',
        version: 'v1',
        url: 'http://127.0.0.1:9/orders',
        testUrl: 'http://127.0.0.1:9/test-orders',
        timeoutMs: 2500,
        ratePerSecond: 10,
        description: 'orders of a shop',
      };
      const res = await s.admin(METHODS, { body });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body.name, 'shop.order.list');
      assert.equal(res.body.version, 'v1');
      assert.equal(res.body.url, 'http://127.0.0.1:9/orders');
      assert.equal(res.body.testUrl, 'http://127.0.0.1:9/test-orders');
      assert.equal(res.body.timeoutMs, 2500);
      assert.equal(res.body.ratePerSecond, 10);
      assert.equal(res.body.ratePerDay, null);
      assert.equal(res.body.status, 'enabled');
      assert.equal(res.body.description, 'orders of a shop');
      assert.equal((await s.k.fronts.opretail.methods.resolve('shop.order.list', 'v1'))?.url, 'http://127.0.0.1:9/orders');

      const dup = await s.admin(METHODS, { body: { name: 'shop.order.list', version: 'v1', url: 'http://127.0.0.1:9/other' } });
      assert.equal(dup.status, 409);
      assert.equal(dup.body.error.kind, 'Conflict');
      const v2 = await s.admin(METHODS, { body: { name: 'shop.order.list', version: 'v2', url: 'http://127.0.0.1:9/orders2' } });
      assert.equal(v2.status, 201);
    });

    await t.test('bad method input is 400 naming the field', async () => {
      const cases: [unknown, string][] = [
        [{ name: 'a', version: 'v1' }, 'url'],
        [{ name: 'a', version: 'v1', url: 'ftp://x' }, 'url'],
        [{ name: 'a', version: 'v1', url: 'not a url' }, 'url'],
        [{ name: 'a', version: 'v1', url: 'http://x', testUrl: 'nope' }, 'testUrl'],
        [{ name: 'a', version: 'v1', url: 'http://x', timeoutMs: '100' }, 'timeoutMs'],
        [{ name: 'a b', version: 'v1', url: 'http://x' }, 'name'],
        [{ name: 'open.gateway.authentication', version: 'v3', url: 'http://x' }, 'name'],
        [{ name: 'a', version: 'v1', url: 'http://x', upstream: 'http://y' }, 'upstream'],
      ];
      for (const [body, param] of cases) {
        const res = await s.admin(METHODS, { body });
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.equal(res.body.error.param, param, JSON.stringify(res.body));
      }
      assert.equal((await s.k.fronts.opretail.methods.list()).length, 2);
    });

    await t.test('GET /methods and GET /methods/:name/:version; unknown is 404', async () => {
      const list = await s.admin(METHODS);
      assert.equal(list.status, 200);
      assert.deepEqual(
        list.body.methods.map((m: { version: string }) => m.version),
        ['v1', 'v2'],
      );
      const one = await s.admin(`${METHODS}/shop.order.list/v2`);
      assert.equal(one.status, 200);
      assert.equal(one.body.url, 'http://127.0.0.1:9/orders2');
      const none = await s.admin(`${METHODS}/shop.order.list/v9`);
      assert.equal(none.status, 404);
      assert.equal(none.body.error.kind, 'NotFound');
      for (const path of [`${METHODS}/nope/v1/disable`, `${METHODS}/nope/v1/enable`])
        assert.equal((await s.admin(path, { method: 'POST' })).status, 404);
      assert.equal((await s.admin(`${METHODS}/nope/v1`, { method: 'PATCH', body: { url: 'http://x' } })).status, 404);
    });

    await t.test('PATCH /methods/:name/:version changes it; null clears an optional field', async () => {
      const res = await s.admin(`${METHODS}/shop.order.list/v1`, {
        method: 'PATCH',
        body: { url: 'https://orders.example/v1', testUrl: null, ratePerDay: 1000 },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.url, 'https://orders.example/v1');
      assert.equal(res.body.testUrl, null);
      assert.equal(res.body.ratePerDay, 1000);
      assert.equal(res.body.timeoutMs, 2500, 'untouched fields stay');
      assert.equal((await s.k.fronts.opretail.methods.get('shop.order.list', 'v1')).url, 'https://orders.example/v1');
      const empty = await s.admin(`${METHODS}/shop.order.list/v1`, { method: 'PATCH', body: {} });
      assert.equal(empty.status, 400);
      const rename = await s.admin(`${METHODS}/shop.order.list/v1`, { method: 'PATCH', body: { name: 'other' } });
      assert.equal(rename.status, 400);
      assert.equal(rename.body.error.param, 'name');
    });

    await t.test('disable and enable a method: the gateway stops and starts resolving it', async () => {
      const off = await s.admin(`${METHODS}/shop.order.list/v1/disable`, { method: 'POST' });
      assert.equal(off.status, 200);
      assert.equal(off.body.status, 'disabled');
      assert.equal(await s.k.fronts.opretail.methods.resolve('shop.order.list', 'v1'), undefined);
      const on = await s.admin(`${METHODS}/shop.order.list/v1/enable`, { method: 'POST' });
      assert.equal(on.body.status, 'enabled');
      assert.ok(await s.k.fronts.opretail.methods.resolve('shop.order.list', 'v1'));
    });

    await t.test('grants: grant, list, revoke; unknown method or key is 404; built-in methods need none', async () => {
      const key = (await s.admin(KEYS, { body: { username: 'dev', enterpriseId: 3 } })).body;
      const path = `${KEYS}/${key.applicationKey}/grants`;
      const none = await s.admin(path);
      assert.equal(none.status, 200);
      assert.deepEqual(none.body, { applicationKey: key.applicationKey, allMethods: false, grants: [] });

      const grant = (name: string, version: string, akey = key.applicationKey) =>
        s.admin(`${KEYS}/${akey}/grants/${name}/${version}`, { method: 'PUT' });
      const granted = await grant('shop.order.list', 'v1');
      assert.equal(granted.status, 200, JSON.stringify(granted.body));
      assert.deepEqual(
        granted.body.grants.map((m: { name: string; version: string }) => `${m.name} ${m.version}`),
        ['shop.order.list v1'],
      );
      const method = await s.k.fronts.opretail.methods.get('shop.order.list', 'v1');
      assert.equal(await s.k.fronts.opretail.methods.isGranted(key.id, method.id), true);
      // Granting twice is harmless.
      assert.equal((await grant('shop.order.list', 'v1')).body.grants.length, 1);
      assert.equal((await s.admin(path)).body.grants.length, 1);

      const unknownMethod = await grant('shop.order.list', 'v9');
      assert.equal(unknownMethod.status, 404);
      const builtIn = await grant('open.gateway.authentication', 'v1');
      assert.equal(builtIn.status, 400);
      assert.equal(builtIn.body.error.param, 'name');
      // The old verb is not a second way: POST to the grants list is no route.
      const oldVerb = await s.admin(path, { body: { name: 'shop.order.list', version: 'v1' } });
      assert.equal(oldVerb.status, 404);
      assert.equal(oldVerb.body.error.kind, 'NotFound');
      const unknownKey = await grant('shop.order.list', 'v1', 'S107-nobody');
      assert.equal(unknownKey.status, 404);

      const revoked = await s.admin(`${path}/shop.order.list/v1`, { method: 'DELETE' });
      assert.equal(revoked.status, 200);
      assert.deepEqual(revoked.body.grants, []);
      assert.equal(await s.k.fronts.opretail.methods.isGranted(key.id, method.id), false);
      assert.equal((await s.admin(`${path}/shop.order.list/v9`, { method: 'DELETE' })).status, 404);
      assert.equal((await s.admin(`${KEYS}/S107-nobody/grants/shop.order.list/v1`, { method: 'DELETE' })).status, 404);
    });

    await t.test('an administrator key may call every method', async () => {
      const admin = (await s.admin(KEYS, { body: { username: 'ops', enterpriseId: 1, developerType: 1 } })).body;
      const res = await s.admin(`${KEYS}/${admin.applicationKey}/grants`);
      assert.equal(res.body.allMethods, true);
    });

    await t.test('method routes need the admin token', async () => {
      const res = await fetch(`${s.url}/admin/api${METHODS}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'x', version: 'v1', url: 'http://x' }),
      });
      assert.equal(res.status, 401);
      assert.equal((await fetch(`${s.url}/admin/api${METHODS}`)).status, 401);
      assert.equal((await s.k.fronts.opretail.methods.list()).length, 2);
    });
  });
}
