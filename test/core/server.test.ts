import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backendNames } from '../helpers/backends.ts';
import { startServer } from '../helpers/server.ts';
import { KAIFANG_VERSION } from '../../src/kernel/version.ts';
import { NEWEST_MIGRATION } from '../../src/server/storeLayout.ts';

for (const backend of backendNames()) {
  test(`health, readiness and metrics answer over HTTP (${backend})`, async (t) => {
    const s = await startServer({ backend });
    t.after(() => s.close());
    const health = await fetch(`${s.url}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok', version: KAIFANG_VERSION });
    const ready = await fetch(`${s.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready', checks: { database: 'ok', 'database writable': 'ok', state: 'ok' } });
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    assert.match(metrics, /kaifang_requests_total/);
    assert.match(
      metrics,
      new RegExp(`^kaifang_build_info\\{version="${KAIFANG_VERSION.replace(/\./g, '\\.')}",schema="${NEWEST_MIGRATION}"\\} 1$`, 'm'),
    );
    assert.match(metrics, /^kaifang_ready 1$/m);
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
    assert.deepEqual(ok.body, { calls: [], total: 0 });
  });
}
