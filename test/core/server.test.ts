import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backendNames } from '../helpers/backends.ts';
import { startServer } from '../helpers/server.ts';

for (const backend of backendNames()) {
  test(`health, readiness and metrics answer over HTTP (${backend})`, async (t) => {
    const s = await startServer({ backend });
    t.after(() => s.close());
    const health = await fetch(`${s.url}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
    const ready = await fetch(`${s.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready', checks: { database: 'ok', 'database writable': 'ok', state: 'ok' } });
    const metrics = await fetch(`${s.url}/metrics`);
    assert.match(await metrics.text(), /kaifang_requests_total/);
    assert.ok(health.headers.get('x-request-id'));
  });

  test(`admin API refuses a missing or wrong token (${backend})`, async (t) => {
    const s = await startServer({ backend });
    t.after(() => s.close());
    const none = await fetch(`${s.url}/admin/api/calls`);
    assert.equal(none.status, 401);
    const wrong = await fetch(`${s.url}/admin/api/calls`, { headers: { authorization: 'Bearer nope' } });
    assert.equal(wrong.status, 401);
    const ok = await s.admin('/calls');
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body, { calls: [] });
  });
}
