import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backendNames } from '../helpers/backends.ts';
import { startServer } from '../helpers/server.ts';

/**
 * The admin API's common rules (issue 20, item 15), across fronts: one list shape with `total`
 * and `q`, one status field, one secret field and verb pair, DELETE on every credential, empty
 * JSON bodies on bodiless actions, `front` checked, and one kind for every 400.
 */
for (const backend of backendNames()) {
  test(`admin API consistency (${backend})`, async (t) => {
    const s = await startServer({ backend });
    t.after(() => s.close());
    const raw = (path: string, init: RequestInit = {}) =>
      fetch(`${s.url}/admin/api${path}`, { ...init, headers: { authorization: `Bearer ${s.adminToken}`, ...init.headers } });

    await t.test('every list: { <plural>, total, limit, offset }, with q counted alike', async () => {
      for (const name of ['Alpha_1', 'alpha%2', 'Beta']) {
        assert.equal((await s.admin('/storepos/agents', { body: { name } })).status, 201);
        assert.equal((await s.admin('/opretail/keys', { body: { username: name, enterpriseId: 1 } })).status, 201);
      }
      const all = await s.admin('/storepos/agents?limit=2');
      assert.deepEqual(Object.keys(all.body).sort(), ['agents', 'limit', 'offset', 'total']);
      assert.equal(all.body.total, 3);
      assert.equal(all.body.agents.length, 2);
      const alpha = await s.admin('/storepos/agents?q=ALPHA');
      assert.deepEqual(
        alpha.body.agents.map((a: { name: string }) => a.name),
        ['Alpha_1', 'alpha%2'],
        'case-insensitive',
      );
      assert.equal(alpha.body.total, 2);
      // LIKE's wildcards are text: `%` and `_` find only themselves.
      assert.deepEqual(
        (await s.admin(`/storepos/agents?q=${encodeURIComponent('a%')}`)).body.agents.map((a: { name: string }) => a.name),
        ['alpha%2'],
      );
      assert.deepEqual(
        (await s.admin('/opretail/keys?q=a_')).body.keys.map((k: { username: string }) => k.username),
        ['Alpha_1'],
      );
      assert.equal((await s.admin('/opretail/keys?q=a_')).body.total, 1);
      for (const path of [
        '/opretail/keys',
        '/opretail/methods',
        '/jucai/isvs',
        '/jucai/merchants',
        '/jucai/apps',
        '/weiting/apps',
        '/weiting/users',
        '/wechat/miniapps',
        '/wechat/official-accounts',
        '/wechat/pay-merchants',
      ]) {
        // Text no record holds: a random key is letters and digits (`zz` was in one, 1 run in ~30).
        const r = await s.admin(`${path}?q=${encodeURIComponent('no such @')}&limit=5&offset=0`);
        assert.equal(r.status, 200, `${path}: ${JSON.stringify(r.body)}`);
        assert.deepEqual([r.body.total, r.body.limit, r.body.offset], [0, 5, 0], path);
      }
    });

    await t.test('status "enabled" | "disabled" and ISO times on the 万店掌 key too (the wire keeps switchStatus)', async () => {
      const key = (await s.admin('/opretail/keys', { body: { username: 'status', enterpriseId: 1 } })).body;
      assert.equal(key.status, 'enabled');
      assert.equal(key.switchStatus, '1');
      assert.match(key.createdAt, /^\d{4}-\d\d-\d\dT.*Z$/);
      assert.match(key.updatedAt, /^\d{4}-\d\d-\d\dT.*Z$/);
      const off = await s.admin(`/opretail/keys/${key.applicationKey}/disable`, { method: 'POST' });
      assert.deepEqual([off.body.status, off.body.switchStatus], ['disabled', '2']);
      const method = await s.admin('/opretail/methods', { body: { name: 'shop.list', version: 'v1', url: 'http://127.0.0.1:9/x' } });
      assert.equal(method.body.status, 'enabled');
    });

    await t.test('create and import take the secret as `secret` too (the older names still work; both at once is a 400)', async () => {
      const imported = 'imported-secret-0123456789abcdef';
      const key = await s.admin('/opretail/keys', { body: { username: 'named', enterpriseId: 1, secret: imported } });
      assert.equal(key.status, 201, JSON.stringify(key.body));
      assert.equal(key.body.secret, imported);
      const old = await s.admin('/opretail/keys', { body: { username: 'older', enterpriseId: 1, applicationSecret: imported } });
      assert.equal(old.body.secret, imported);
      const both = await s.admin('/opretail/keys', {
        body: { username: 'both', enterpriseId: 1, secret: imported, applicationSecret: imported },
      });
      assert.deepEqual([both.status, both.body.error.kind, both.body.error.param], [400, 'InvalidInput', 'secret']);

      const agent = await s.admin('/storepos/agents', { body: { name: 'named', secret: imported } });
      assert.equal(agent.body.secret, imported);
      assert.equal((await s.k.fronts.storepos.agents.findForSigning(agent.body.agentId))?.key, imported);
      assert.equal((await s.admin('/storepos/agents', { body: { name: 'both', secret: imported, key: imported } })).status, 400);

      const payKey = 'k'.repeat(32);
      const pay = await s.admin('/wechat/pay-merchants', { body: { mchId: '1900000199', appid: 'wx0123456789abcd99', secret: payKey } });
      assert.equal(pay.status, 201, JSON.stringify(pay.body));
      const none = await s.admin('/wechat/pay-merchants', { body: { mchId: '1900000198', appid: 'wx0123456789abcd98' } });
      assert.deepEqual([none.status, none.body.error.param], [400, 'secret']);
    });

    await t.test('one secret field and one verb pair: rotate-secret (made up) and set-secret (given)', async () => {
      const key = (await s.admin('/opretail/keys', { body: { username: 'secret', enterpriseId: 1 } })).body;
      assert.match(key.secret, /^[\x21-\x7e]{32}$/);
      assert.equal('applicationSecret' in key, false);
      const agent = (await s.admin('/storepos/agents', { body: { name: 'secret' } })).body;
      assert.match(agent.secret, /^[A-Za-z0-9]{32}$/);
      for (const path of [`/opretail/keys/${key.applicationKey}`, `/storepos/agents/${agent.agentId}`]) {
        const rotated = await s.admin(`${path}/rotate-secret`, { method: 'POST' });
        assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
        assert.match(rotated.body.secret, /^[\x21-\x7e]{32}$/, path);
        const set = await s.admin(`${path}/set-secret`, { body: { secret: 'operator-chosen-secret-0123456789' } });
        assert.equal(set.status, 200, JSON.stringify(set.body));
        assert.equal(set.body.secret, 'operator-chosen-secret-0123456789');
        assert.equal((await s.admin(`${path}/set-secret`, { body: {} })).body.error.param, 'secret');
        assert.equal((await s.admin(path)).body.secret, undefined, 'shown once');
      }
      const stored = await s.k.fronts.storepos.agents.findForSigning(agent.agentId);
      assert.equal(stored?.key, 'operator-chosen-secret-0123456789');
      await s.admin('/wechat/miniapps', { body: { appid: 'wx0123456789abcdef', secret: 'a'.repeat(32) } });
      const wx = await s.admin('/wechat/miniapps/wx0123456789abcdef/set-secret', { body: { secret: 'b'.repeat(32) } });
      assert.equal(wx.status, 200, JSON.stringify(wx.body));
      assert.equal((await s.k.core.wechat.miniPrograms.findForSigning('wx0123456789abcdef'))?.secret, 'b'.repeat(32));
    });

    await t.test('DELETE on credentials: with their grants; a parent with children only with cascade=true', async () => {
      const key = (await s.admin('/opretail/keys', { body: { username: 'gone', enterpriseId: 1 } })).body;
      await s.admin('/opretail/methods', { body: { name: 'shop.gone', version: 'v1', url: 'http://127.0.0.1:9/x' } });
      assert.equal((await s.admin(`/opretail/keys/${key.applicationKey}/grants/shop.gone/v1`, { method: 'PUT' })).status, 200);
      const deleted = await s.admin(`/opretail/keys/${key.applicationKey}`, { method: 'DELETE' });
      assert.deepEqual(deleted.body, { applicationKey: key.applicationKey, deleted: true, grants: 1 });
      assert.equal((await s.admin(`/opretail/keys/${key.applicationKey}`)).status, 404);
      assert.equal((await s.admin(`/opretail/keys/${key.applicationKey}`, { method: 'DELETE' })).status, 404);

      const agent = (await s.admin('/storepos/agents', { body: { name: 'gone' } })).body;
      await s.admin('/wechat/miniapps', { body: { appid: 'wx00000000000000aa', secret: 'a'.repeat(32) } });
      await s.admin(`/storepos/agents/${agent.agentId}/grants/wx00000000000000aa`, { method: 'PUT' });
      assert.equal((await s.admin(`/storepos/agents/${agent.agentId}`, { method: 'DELETE' })).body.grants, 1);
      assert.equal(await s.k.fronts.storepos.agents.findForSigning(agent.agentId), undefined);

      const isv = (await s.admin('/jucai/isvs', { body: { name: 'parent' } })).body;
      const mch = (await s.admin('/jucai/merchants', { body: { isvNo: isv.isvNo, name: 'child' } })).body;
      const app = (await s.admin('/jucai/apps', { body: { mchNo: mch.mchNo } })).body;
      const refused = await s.admin(`/jucai/isvs/${isv.isvNo}`, { method: 'DELETE' });
      assert.equal(refused.status, 409);
      assert.match(refused.body.error.message, /1 merchant.*cascade=true/);
      assert.equal((await s.admin(`/jucai/merchants/${mch.mchNo}`)).status, 200, 'nothing deleted');
      const cascaded = await s.admin(`/jucai/isvs/${isv.isvNo}?cascade=true`, { method: 'DELETE' });
      assert.deepEqual(cascaded.body, { isvNo: isv.isvNo, deleted: true, merchants: 1, apps: 1, channels: 0 });
      assert.equal((await s.admin(`/jucai/apps/${app.appId}`)).status, 404);
      assert.equal((await s.admin(`/jucai/isvs/${isv.isvNo}?cascade=maybe`, { method: 'DELETE' })).body.error.param, 'cascade');
    });

    await t.test('an empty body with content-type application/json is taken on bodiless actions (as the README sends it)', async () => {
      const agent = (await s.admin('/storepos/agents', { body: { name: 'curl' } })).body;
      for (const action of ['disable', 'enable', 'rotate-secret']) {
        const r = await raw(`/storepos/agents/${agent.agentId}/${action}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
        });
        assert.equal(r.status, 200, `${action}: ${await r.clone().text()}`);
      }
      const key = (await s.admin('/opretail/keys', { body: { username: 'curl', enterpriseId: 1 } })).body;
      const r = await raw(`/opretail/keys/${key.applicationKey}/disable`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(r.status, 200);
      // A body that is there must still be JSON.
      const broken = await raw('/storepos/agents', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
      assert.equal(broken.status, 400);
      assert.equal(((await broken.json()) as { error: { kind: string } }).error.kind, 'InvalidInput');
    });

    await t.test('front=nope is a 400 naming front and the known fronts', async () => {
      const r = await s.admin('/calls?front=nope');
      assert.equal(r.status, 400);
      assert.equal(r.body.error.kind, 'InvalidInput');
      assert.equal(r.body.error.param, 'front');
      assert.match(r.body.error.message, /opretail/);
      assert.equal((await s.admin('/calls?front=opretail')).status, 200);
    });

    await t.test('every 400 has the kind InvalidInput', async () => {
      const cases: [string, RequestInit][] = [
        ['/storepos/agents', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[' }],
        ['/storepos/agents', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"nme":"x"}' }],
        ['/storepos/agents?limit=0', {}],
        ['/opretail/keys/%zz', {}],
        ['/calls?since=yesterday', {}],
      ];
      for (const [path, init] of cases) {
        const r = await raw(path, init);
        assert.equal(r.status, 400, path);
        assert.equal(((await r.json()) as { error: { kind: string } }).error.kind, 'InvalidInput', path);
      }
    });
  });
}
