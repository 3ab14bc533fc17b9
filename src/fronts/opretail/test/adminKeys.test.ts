import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../../kernel/clock.ts';
import { parseDateTime } from '../../../kernel/cst.ts';
import { opretail as signing } from '../signing.ts';
import { backendNames } from '../../../../test/helpers/backends.ts';
import { startServer } from '../../../../test/helpers/server.ts';

const NOW = parseDateTime('2026-06-01 12:00:00')!;
const KEYS = '/opretail/keys';

for (const backend of backendNames()) {
  test(`opretail admin: developer keys (${backend})`, async (t) => {
    const clock = new ManualClock(NOW);
    const s = await startServer({ backend, clock });
    t.after(() => s.close());

    let akey = '';
    let secret = '';

    await t.test('POST /keys creates a key and shows its secret once', async () => {
      const res = await s.admin(KEYS, { body: { username: 'alice', enterpriseId: 42, expire: '2027-12-31 00:00:00', ratePerSecond: 5 } });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const key = res.body;
      assert.match(key.applicationKey, /^S107-[A-Za-z0-9]+$/);
      assert.ok(key.applicationKey.length <= 20);
      assert.match(key.secret, /^[\x21-\x7e]{32}$/);
      assert.equal(key.username, 'alice');
      assert.equal(key.applicationId, 'S107');
      assert.equal(key.enterpriseId, 42);
      assert.equal(key.keytype, 1);
      assert.equal(key.ifexpire, 3);
      assert.equal(key.expire, '2027-12-30T16:00:00.000Z', 'admin JSON times are ISO 8601 UTC');
      assert.equal(key.switchStatus, '1');
      assert.equal(key.switchTime, '2026-06-01T04:00:00.000Z');
      assert.equal(key.developerType, 2);
      assert.equal(key.shopwebEnterpriseId, null);
      assert.equal(key.supplierAccount, null);
      assert.equal(key.ratePerSecond, 5);
      assert.equal(key.ratePerDay, null);
      akey = key.applicationKey;
      secret = key.secret;
    });

    await t.test('the created key works: the gateway finds it and a signature made with the shown secret verifies', async () => {
      const stored = await s.k.fronts.opretail.keys.findForSigning(akey);
      assert.ok(stored);
      assert.equal(stored.switchStatus, 1);
      assert.equal(stored.enterpriseId, 42);
      const params = {
        _aid: 'S107',
        _akey: akey,
        _mt: 'open.gateway.authentication',
        _sm: 'md5',
        _requestMode: 'post',
        _version: 'v1',
        _timestamp: '20260601120000',
        orgid: '42',
      };
      const sig = signing.sign(params, secret, 'md5');
      assert.ok(signing.verify(params, stored.applicationSecret, 'md5', sig));
    });

    await t.test('GET /keys/:akey and GET /keys never show the secret', async () => {
      const one = await s.admin(`${KEYS}/${akey}`);
      assert.equal(one.status, 200);
      assert.equal(one.body.applicationKey, akey);
      assert.equal('secret' in one.body, false);
      assert.equal(JSON.stringify(one.body).includes(secret), false);

      await s.admin(KEYS, { body: { username: 'bob', enterpriseId: 7 } });
      const all = await s.admin(`${KEYS}?limit=1&offset=1`);
      assert.equal(all.status, 200);
      assert.equal(all.body.total, 2);
      assert.equal(all.body.limit, 1);
      assert.equal(all.body.offset, 1);
      assert.equal(all.body.keys.length, 1);
      assert.equal(all.body.keys[0].username, 'bob');
      const page = await s.admin(KEYS);
      assert.deepEqual(
        page.body.keys.map((k: { username: string }) => k.username),
        ['alice', 'bob'],
      );
      assert.equal(JSON.stringify(page.body).includes('"secret"'), false);
    });

    await t.test('POST /keys imports an existing key and secret; importing it again is 409', async () => {
      const body = {
        username: 'carol',
        enterpriseId: 9,
        applicationKey: 'S107-legacy01',
        applicationSecret: 'legacy-secret-0123456789',
        keytype: 2,
        developerType: 3,
        shopwebEnterpriseId: 1084,
        supplierAccount: 'acme',
      };
      const res = await s.admin(KEYS, { body });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body.applicationKey, 'S107-legacy01');
      assert.equal(res.body.secret, 'legacy-secret-0123456789');
      assert.equal(res.body.keytype, 2);
      assert.equal(res.body.developerType, 3);
      assert.equal(res.body.shopwebEnterpriseId, 1084);
      assert.equal(res.body.supplierAccount, 'acme');
      assert.equal(res.body.ifexpire, 1);
      assert.equal((await s.k.fronts.opretail.keys.findForSigning('S107-legacy01'))?.applicationSecret, 'legacy-secret-0123456789');

      const again = await s.admin(KEYS, { body: { ...body, applicationSecret: 'another-secret-0123456789' } });
      assert.equal(again.status, 409);
      assert.equal(again.body.error.kind, 'Conflict');
      assert.match(again.body.error.message, /S107-legacy01/);
      // The first import's secret is untouched.
      assert.equal((await s.k.fronts.opretail.keys.findForSigning('S107-legacy01'))?.applicationSecret, 'legacy-secret-0123456789');
    });

    await t.test('bad input is 400 naming the field', async () => {
      const cases: [unknown, string, RegExp][] = [
        [{ username: 'x', enterpriseId: 'seven' }, 'enterpriseId', /integer/],
        [{ username: 'x', enterpriseId: true }, 'enterpriseId', /integer/],
        [{ username: 'x' }, 'enterpriseId', /required/],
        [{ username: 5, enterpriseId: 1 }, 'username', /string/],
        [{ username: 'x', enterpriseId: 1, enterprise_id: 1 }, 'enterprise_id', /unknown/],
        [{ username: 'x', enterpriseId: 1, keytype: 3 }, 'keytype', /1, 2/],
        [{ username: 'x', enterpriseId: 1, expire: '2027-02-30 00:00:00' }, 'expire', /yyyy-MM-dd HH:mm:ss/],
        [{ username: 'x', enterpriseId: 0 }, 'enterpriseId', />= 1/],
        [{ username: 'x', enterpriseId: 1, applicationKey: 'has space' }, 'applicationKey', /applicationKey/],
        [{ username: 'x', enterpriseId: 1, applicationSecret: 'has space' }, 'applicationSecret', /1–128 printable ASCII/],
        [{ username: 'x', enterpriseId: 1, applicationSecret: '' }, 'applicationSecret', /1–128/],
        [{ username: 'x', enterpriseId: 1, ratePerDay: 1.5 }, 'ratePerDay', /integer/],
      ];
      for (const [body, param, message] of cases) {
        const res = await s.admin(KEYS, { body });
        assert.equal(res.status, 400, `${JSON.stringify(body)} → ${res.status}`);
        assert.equal(res.body.error.kind, 'InvalidInput');
        assert.equal(res.body.error.param, param, JSON.stringify(res.body));
        assert.match(res.body.error.message, message);
      }
      const notObject = await s.admin(KEYS, { body: ['alice'] });
      assert.equal(notObject.status, 400);
      const badLimit = await s.admin(`${KEYS}?limit=lots`);
      assert.equal(badLimit.status, 400);
      assert.equal(badLimit.body.error.param, 'limit');
      assert.equal(await s.k.fronts.opretail.keys.count(), 3, 'no bad request created a key');
    });

    await t.test('no token or a wrong token is 401', async () => {
      for (const headers of [{}, { authorization: 'Bearer wrong-token-0123456789' }, { authorization: s.adminToken }] as Record<
        string,
        string
      >[]) {
        const res = await fetch(`${s.url}/admin/api${KEYS}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ username: 'eve', enterpriseId: 1 }),
        });
        assert.equal(res.status, 401);
        assert.equal(((await res.json()) as { error: { kind: string } }).error.kind, 'Unauthorized');
      }
      const get = await fetch(`${s.url}/admin/api${KEYS}/${akey}`);
      assert.equal(get.status, 401);
      assert.equal(await s.k.fronts.opretail.keys.count(), 3);
    });

    await t.test('an unknown key is 404 on every key route', async () => {
      const routes: [string, string, unknown?][] = [
        ['GET', `${KEYS}/S107-nobody`],
        ['PATCH', `${KEYS}/S107-nobody`, { username: 'x' }],
        ['POST', `${KEYS}/S107-nobody/disable`],
        ['POST', `${KEYS}/S107-nobody/enable`],
        ['POST', `${KEYS}/S107-nobody/expire`],
        ['POST', `${KEYS}/S107-nobody/rotate-secret`],
        ['GET', `${KEYS}/S107-nobody/grants`],
      ];
      for (const [method, path, body] of routes) {
        const res = await s.admin(path, { method, body });
        assert.equal(res.status, 404, `${method} ${path}`);
        assert.equal(res.body.error.kind, 'NotFound');
        assert.match(res.body.error.message, /S107-nobody/);
      }
    });

    await t.test('PATCH /keys/:akey changes fields; nothing to change or a fixed field is 400', async () => {
      const res = await s.admin(`${KEYS}/${akey}`, {
        method: 'PATCH',
        body: { username: 'alice2', enterpriseId: 43, keytype: 2, ratePerSecond: null, supplierAccount: 'sup', expire: null },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.username, 'alice2');
      assert.equal(res.body.enterpriseId, 43);
      assert.equal(res.body.keytype, 2);
      assert.equal(res.body.ratePerSecond, null);
      assert.equal(res.body.supplierAccount, 'sup');
      assert.equal(res.body.expire, null);
      assert.equal(res.body.ifexpire, 1);
      assert.equal((await s.k.fronts.opretail.keys.get(akey)).enterpriseId, 43);

      const empty = await s.admin(`${KEYS}/${akey}`, { method: 'PATCH', body: {} });
      assert.equal(empty.status, 400);
      const secretField = await s.admin(`${KEYS}/${akey}`, { method: 'PATCH', body: { applicationSecret: 'a-new-secret-0123456789' } });
      assert.equal(secretField.status, 400);
      assert.equal(secretField.body.error.param, 'applicationSecret');
      const badType = await s.admin(`${KEYS}/${akey}`, { method: 'PATCH', body: { developerType: '1' } });
      assert.equal(badType.status, 400);
      assert.equal(badType.body.error.param, 'developerType');
    });

    await t.test('disable and enable switch the key and stamp switchTime', async () => {
      clock.advance(60_000);
      const off = await s.admin(`${KEYS}/${akey}/disable`, { method: 'POST' });
      assert.equal(off.status, 200);
      assert.equal(off.body.switchStatus, '2');
      assert.equal(off.body.switchTime, '2026-06-01T04:01:00.000Z');
      assert.equal((await s.k.fronts.opretail.keys.findForSigning(akey))?.switchStatus, 2);
      clock.advance(60_000);
      const on = await s.admin(`${KEYS}/${akey}/enable`, { method: 'POST' });
      assert.equal(on.body.switchStatus, '1');
      assert.equal(on.body.switchTime, '2026-06-01T04:02:00.000Z');
      assert.equal((await s.k.fronts.opretail.keys.findForSigning(akey))?.switchStatus, 1);
    });

    await t.test('POST /keys/:akey/expire: now, at a CST time, or never', async () => {
      const now = await s.admin(`${KEYS}/${akey}/expire`, { method: 'POST' });
      assert.equal(now.status, 200);
      assert.equal(now.body.ifexpire, 2);
      assert.equal(now.body.expire, '2026-06-01T04:02:00.000Z');
      const at = await s.admin(`${KEYS}/${akey}/expire`, { body: { at: '2030-01-01 08:00:00' } });
      assert.equal(at.body.ifexpire, 3);
      assert.equal(at.body.expire, '2030-01-01T00:00:00.000Z');
      const atIso = await s.admin(`${KEYS}/${akey}/expire`, { body: { at: '2030-01-01T08:00:00+08:00' } });
      assert.equal(atIso.body.expire, '2030-01-01T00:00:00.000Z', 'ISO 8601 with a zone is taken too');
      assert.equal((await s.k.fronts.opretail.keys.get(akey)).expire, Date.UTC(2030, 0, 1, 0, 0, 0), 'CST 08:00 is 00:00 UTC');
      const never = await s.admin(`${KEYS}/${akey}/expire`, { body: { at: null } });
      assert.equal(never.body.ifexpire, 1);
      assert.equal(never.body.expire, null);
      const bad = await s.admin(`${KEYS}/${akey}/expire`, { body: { at: 'tomorrow' } });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.param, 'at');
      const badType = await s.admin(`${KEYS}/${akey}/expire`, { body: { at: 12 } });
      assert.equal(badType.status, 400);
      assert.equal(badType.body.error.param, 'at');
    });

    await t.test('POST /keys/:akey/rotate-secret returns a new secret once; the old one stops working', async () => {
      const res = await s.admin(`${KEYS}/${akey}/rotate-secret`, { method: 'POST' });
      assert.equal(res.status, 200);
      assert.match(res.body.secret, /^[\x21-\x7e]{32}$/);
      assert.notEqual(res.body.secret, secret);
      const stored = await s.k.fronts.opretail.keys.findForSigning(akey);
      assert.equal(stored?.applicationSecret, res.body.secret);

      const chosen = await s.admin(`${KEYS}/${akey}/rotate-secret`, { body: { applicationSecret: 'operator-chosen-secret-42' } });
      assert.equal(chosen.status, 200);
      assert.equal(chosen.body.secret, 'operator-chosen-secret-42');
      assert.equal((await s.k.fronts.opretail.keys.findForSigning(akey))?.applicationSecret, 'operator-chosen-secret-42');

      const short = await s.admin(`${KEYS}/${akey}/rotate-secret`, { body: { applicationSecret: 'short' } });
      assert.equal(short.status, 400);
      assert.equal(short.body.error.param, 'applicationSecret');
      assert.equal((await s.k.fronts.opretail.keys.findForSigning(akey))?.applicationSecret, 'operator-chosen-secret-42');
      const after = await s.admin(`${KEYS}/${akey}`);
      assert.equal('secret' in after.body, false);
    });
  });
}
