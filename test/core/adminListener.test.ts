import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildAdminApp } from '../../src/server/adminApp.ts';
import { startServer } from '../helpers/server.ts';

/** The public port can face partners: the admin API on its own listener (KAIFANG_ADMIN_LISTEN), /metrics behind a token. */

test('with KAIFANG_ADMIN_LISTEN the admin API and /metrics answer only on the admin listener', async (t) => {
  const s = await startServer({ env: { KAIFANG_ADMIN_LISTEN: '127.0.0.1:0' } });
  t.after(() => s.close());
  const admin = await buildAdminApp(s.k);
  t.after(() => admin.close());
  await admin.listen({ host: '127.0.0.1', port: 0 });
  const adminUrl = `http://127.0.0.1:${(admin.server.address() as { port: number }).port}`;
  const auth = { authorization: `Bearer ${s.adminToken}` };

  const publicAdmin = await fetch(`${s.url}/admin/api/calls`, { headers: auth });
  assert.equal(publicAdmin.status, 404);
  assert.deepEqual(await publicAdmin.json(), { error: { kind: 'NotFound', message: 'the admin API is not served on this port' } });
  assert.equal((await fetch(`${s.url}/metrics`)).status, 404);
  assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
  assert.equal((await fetch(`${s.url}/readyz`)).status, 200);

  assert.equal((await fetch(`${adminUrl}/admin/api/calls`)).status, 401);
  const calls = await fetch(`${adminUrl}/admin/api/calls`, { headers: auth });
  assert.equal(calls.status, 200);
  assert.deepEqual(await calls.json(), { calls: [], total: 0 });
  assert.match(await (await fetch(`${adminUrl}/metrics`)).text(), /^kaifang_build_info\{/m);
  assert.equal((await fetch(`${adminUrl}/readyz`)).status, 200);
  assert.equal((await fetch(`${adminUrl}/m.api`)).status, 404, 'no front on the admin listener');
});

test('KAIFANG_METRICS_TOKEN: /metrics answers 401 without the token or with another, 200 with it', async (t) => {
  const token = 'metrics-token-0123456789';
  const s = await startServer({ env: { KAIFANG_METRICS_TOKEN: token } });
  t.after(() => s.close());
  const none = await fetch(`${s.url}/metrics`);
  assert.equal(none.status, 401);
  assert.equal(none.headers.get('www-authenticate'), 'Bearer');
  assert.equal((await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${token}x` } })).status, 401);
  assert.equal((await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${s.adminToken}` } })).status, 401);
  const ok = await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(ok.status, 200);
  assert.match(await ok.text(), /kaifang_requests_total/);
});
