import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { backendNames } from '../helpers/backends.ts';
import { startServer } from '../helpers/server.ts';

/**
 * The console's sessions over real HTTP, on each backend: two processes sharing the store and the
 * state (a session made on one is honoured by the other, and a sign-out on one ends it on both),
 * the cookie's attributes, CSRF on every write, the session kept hashed, wrong tokens counted; the
 * pages' security headers; and the debugger's switch in live mode.
 */

const cookieOf = (res: Response) => /kaifang_console=([^;]*)/.exec(res.headers.get('set-cookie') ?? '')?.[1] ?? '';

for (const backend of backendNames()) {
  test(`console sessions on ${backend}: shared by processes, CSRF on writes, sign-out everywhere`, { timeout: 60_000 }, async (t) => {
    const a = await startServer({ backend });
    t.after(() => a.close());
    const b = await startServer({ backend, env: a.backend.env });
    t.after(() => b.close());

    const signIn = await fetch(`${a.url}/console/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: a.adminToken }),
    });
    assert.equal(signIn.status, 201);
    const setCookie = signIn.headers.get('set-cookie') ?? '';
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Strict/);
    assert.doesNotMatch(setCookie, /Secure/, 'plain http: no Secure');
    const id = cookieOf(signIn);
    const { csrf } = (await signIn.json()) as { csrf: string };
    assert.ok(id.length >= 40 && csrf.length >= 30);
    // Kept hashed: the state holds the id's SHA-256, never the id.
    assert.ok(await a.k.core.state.get(`console:session:${createHash('sha256').update(id).digest('hex')}`));
    assert.equal(await a.k.core.state.get(`console:session:${id}`), null);

    const cookie = { cookie: `kaifang_console=${id}` };
    const onB = await fetch(`${b.url}/admin/api/opretail/keys`, { headers: cookie });
    assert.equal(onB.status, 200, 'the other process honours the session');
    const body = JSON.stringify({ username: 'session developer', enterpriseId: 7 });
    const noCsrf = await fetch(`${b.url}/admin/api/opretail/keys`, {
      method: 'POST',
      headers: { ...cookie, 'content-type': 'application/json' },
      body,
    });
    assert.equal(noCsrf.status, 403);
    const wrongCsrf = await fetch(`${b.url}/admin/api/opretail/keys`, {
      method: 'POST',
      headers: { ...cookie, 'content-type': 'application/json', 'x-csrf-token': `${csrf}x` },
      body,
    });
    assert.equal(wrongCsrf.status, 403);
    assert.equal(
      ((await (await fetch(`${b.url}/admin/api/opretail/keys`, { headers: cookie })).json()) as { keys: unknown[] }).keys.length,
      0,
      'nothing written',
    );
    const withCsrf = await fetch(`${b.url}/admin/api/opretail/keys`, {
      method: 'POST',
      headers: { ...cookie, 'content-type': 'application/json', 'x-csrf-token': csrf },
      body,
    });
    assert.equal(withCsrf.status, 201);
    // The Bearer header keeps working as before, with no CSRF token.
    assert.equal((await b.admin('/opretail/keys')).body.keys.length, 1);

    // Sign-out needs the CSRF token too, then ends the session on every process.
    assert.equal((await fetch(`${a.url}/console/api/session`, { method: 'DELETE', headers: cookie })).status, 403);
    const out = await fetch(`${a.url}/console/api/session`, { method: 'DELETE', headers: { ...cookie, 'x-csrf-token': csrf } });
    assert.equal(out.status, 200);
    assert.match(out.headers.get('set-cookie') ?? '', /kaifang_console=;.*Max-Age=0/);
    assert.equal((await fetch(`${b.url}/admin/api/opretail/keys`, { headers: cookie })).status, 401);
    assert.equal((await fetch(`${a.url}/console/api/session`, { headers: cookie })).status, 401);

    // Wrong tokens: refused and counted.
    for (const token of ['', 'nope', `${a.adminToken}x`]) {
      const res = await fetch(`${a.url}/console/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token }),
      });
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('set-cookie'), null);
    }
    assert.match(await (await fetch(`${a.url}/metrics`)).text(), /^kaifang_console_signin_failures_total 3$/m);

    // The console's reads on this backend (Bearer works there too): a refused call is in the log, the chart and the overview.
    const refused = await fetch(`${a.url}/m.api`, { method: 'POST', body: new URLSearchParams({ _akey: 'S107-nobody' }) });
    assert.equal(((await refused.json()) as { stat: { codename: string } }).stat.codename, 'SIGN_METHOD_NOTNULL');
    const bearer = { authorization: `Bearer ${a.adminToken}` };
    const chart = (await (await fetch(`${a.url}/console/api/chart?range=day`, { headers: bearer })).json()) as {
      buckets: number;
      series: Record<string, { calls: number[]; refusals: number[] }>;
    };
    assert.equal(chart.buckets, 1440);
    assert.equal(
      chart.series.opretail?.refusals.reduce((x, y) => x + y, 0),
      1,
      JSON.stringify(chart.series),
    );
    const calls = (await (await fetch(`${a.url}/console/api/calls?front=opretail&outcome=4`, { headers: bearer })).json()) as {
      calls: { refused: boolean; endpoint: string }[];
    };
    assert.equal(calls.calls.length, 1, JSON.stringify(calls));
    assert.equal(calls.calls[0]!.refused, true);
    const overview = (await (await fetch(`${a.url}/console/api/overview`, { headers: bearer })).json()) as {
      info: { state: string; store: { kind: string } };
      fronts: { opretail: { refusals: Record<string, number> } };
    };
    assert.equal(overview.info.state, backend === 'sqlite' ? 'sql' : 'redis');
    assert.equal(overview.info.store.kind, backend === 'sqlite' ? 'sqlite' : 'postgresql');
    assert.deepEqual(overview.fronts.opretail.refusals, { '4': 1 });
  });
}

test('the pages: strict CSP, no framing; the cookie is Secure behind https; the debugger off in live mode unless switched on', {
  timeout: 60_000,
}, async (t) => {
  const s = await startServer({ config: { publicUrl: 'https://kaifang.example.com' } });
  t.after(() => s.close());
  for (const path of ['/console/', '/debugger/']) {
    const res = await fetch(`${s.url}${path}`);
    assert.equal(res.status, 200, path);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'(;|$)/, 'no inline script');
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    const html = await res.text();
    assert.doesNotMatch(html, /<script(?![^>]*\ssrc=)/, 'no inline script element');
    assert.doesNotMatch(html, /https?:\/\//, 'nothing from elsewhere');
  }
  assert.equal((await fetch(`${s.url}/`, { redirect: 'manual' })).headers.get('location'), '/console/');
  const signIn = await fetch(`${s.url}/console/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: s.adminToken }),
  });
  assert.match(signIn.headers.get('set-cookie') ?? '', /; Secure/);

  const live = await startServer({ config: { upstreamMode: 'live', smsProvider: 'none' } });
  t.after(() => live.close());
  assert.equal((await fetch(`${live.url}/debugger/`)).status, 404);
  assert.equal((await fetch(`${live.url}/console/`)).status, 200);
  const on = await startServer({ config: { upstreamMode: 'live', smsProvider: 'none', debugger: 'on' } });
  t.after(() => on.close());
  assert.equal((await fetch(`${on.url}/debugger/`)).status, 200);
  const info = (await (await fetch(`${on.url}/debugger/api/info`)).json()) as { sandbox: boolean; settings: { opretail: { aid: string } } };
  assert.equal(info.sandbox, false);
  assert.equal(info.settings.opretail.aid, 'S107');
});
