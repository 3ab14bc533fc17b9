import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backendNames } from '../../../../test/helpers/backends.ts';
import { startServer } from '../../../../test/helpers/server.ts';
import { makeKey, postForm, signedParams } from './helpers.ts';

/**
 * The shared `result` beside 万店掌's own codes, over HTTP: in `/metrics` (requests and latency)
 * and in the call log, where `?result=` filters on it. A method whose backend does not answer is
 * an upstream error; the gateway's own refusals (a bad signature, an unknown key, another HTTP
 * method) are refusals.
 */
for (const backend of backendNames()) {
  test(`万店掌 calls carry result ok / refused / upstream_error in /metrics and the call log (${backend})`, async (t) => {
    const s = await startServer({ backend });
    t.after(() => s.close());
    const key = await makeKey(s, { developerType: 1 });
    // Port 9 (discard) on loopback: nothing listens, the forward fails at once.
    const method = await s.admin('/opretail/methods', {
      body: { name: 'shop.order.list', version: 'v1', url: 'http://127.0.0.1:9/orders' },
    });
    assert.equal(method.status, 201, JSON.stringify(method.body));

    const now = Date.now();
    assert.equal((await postForm(s.url, signedParams(key, now))).body.stat.code, 0);
    assert.notEqual((await postForm(s.url, signedParams(key, now, { _sig: 'A'.repeat(32) }))).body.stat.code, 0);
    assert.notEqual((await postForm(s.url, signedParams({ akey: 'nobody', secret: 'x' }, now))).body.stat.code, 0);
    assert.notEqual((await postForm(s.url, signedParams(key, now, { _mt: 'shop.order.list', _version: 'v1' }))).body.stat.code, 0);
    assert.equal((await fetch(`${s.url}/m.api`, { method: 'PATCH' })).status, 405);

    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    const count = (result: string) =>
      [...metrics.matchAll(new RegExp(`^kaifang_requests_total\\{[^}]*front="opretail"[^}]*result="${result}"[^}]*\\} (\\d+)$`, 'gm'))]
        .map((m) => Number(m[1]))
        .reduce((a, b) => a + b, 0);
    assert.deepEqual([count('ok'), count('refused'), count('upstream_error'), count('error')], [1, 3, 1, 0], metrics);
    assert.match(
      metrics,
      /^kaifang_request_duration_seconds_bucket\{le="\+Inf",front="opretail",endpoint="shop\.order\.list",result="upstream_error"\} 1$/m,
    );
    assert.match(
      metrics,
      /^kaifang_request_duration_seconds_count\{front="opretail",endpoint="open\.gateway\.authentication",result="ok"\} 1$/m,
    );

    // The embedded store's replay index holds the two calls whose signature verified; Redis keeps its own.
    if (backend === 'sqlite') {
      assert.match(metrics, /^kaifang_replay_index_ids 2$/m);
      assert.ok(
        Number(/^kaifang_replay_index_bytes (\d+)$/m.exec(metrics)?.[1]) >= 1 << 20,
        'the index has its first table and queue chunk',
      );
    } else assert.doesNotMatch(metrics, /kaifang_replay_index/);

    const byResult = async (result: string) => {
      const r = await s.admin(`/calls?front=opretail&result=${result}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return (r.body.calls as { result: string; endpoint: string; outcome: string }[]).map((c) => [c.endpoint, c.result]);
    };
    assert.deepEqual(await byResult('ok'), [['open.gateway.authentication', 'ok']]);
    assert.deepEqual(await byResult('upstream_error'), [['shop.order.list', 'upstream_error']]);
    assert.equal((await byResult('refused')).length, 3);
    assert.deepEqual(await byResult('error'), []);
    const wrong = await s.admin('/calls?result=failed');
    assert.equal(wrong.status, 400);
    assert.match(JSON.stringify(wrong.body), /result/);
  });
}
