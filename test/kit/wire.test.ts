import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import type { CallOutcome, FrontContext, WireRefusal } from '../../src/fronts/kit/front.ts';
import { frontWire, resultOf } from '../../src/fronts/kit/wire.ts';
import { Disabled, InvalidSignature, NotFound, UpstreamRejected, UpstreamUnavailable } from '../../src/kernel/errors.ts';

/**
 * The kit's one refusal path and one observe path, on a front made up for the test: every call of
 * a wire route is observed exactly once — answered by its handler, refused by the HTTP layer inside
 * the plugin, or failed — and every refusal is rendered by the front's one `refuse`.
 */
async function madeUpFront() {
  const observed: CallOutcome[] = [];
  const refusals: WireRefusal[] = [];
  const ctx: FrontContext = {
    clock: { now: () => 1_700_000_000_000 },
    bodyLimit: 64,
    sandbox: true,
    observe: (call) => observed.push(call),
  };
  const app = Fastify({ bodyLimit: 64 });
  await app.register(async (plugin) => {
    const wire = frontWire(plugin, ctx, {
      name: 'madeup',
      refuse: (r) => {
        refusals.push(r);
        return {
          status: r.routed ? 200 : r.status,
          contentType: 'application/json',
          body: JSON.stringify({ refused: r.status, why: r.message }),
          outcome: `R${r.status}`,
        };
      },
    });
    wire.route({
      method: 'POST',
      url: '/made/up',
      async handler(request, reply, call) {
        const body = request.body as { type: string; pairs?: [string, string][] };
        if (body.type === 'form' && body.pairs?.[0]?.[0] === 'boom') throw new Error('a bug');
        call.credential = 'cred-1';
        call.outcome = 'OK';
        return reply.send({ ok: true, body: body.type });
      },
    });
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/made/up`;
  return { app, url, observed, refusals };
}

test('a wire route: answered by its handler, observed once with what the handler named', async (t) => {
  const f = await madeUpFront();
  t.after(() => f.app.close());
  const r = await fetch(f.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
  assert.deepEqual(await r.json(), { ok: true, body: 'form' });
  assert.equal(f.observed.length, 1);
  assert.equal(f.observed[0]!.front, 'madeup');
  assert.equal(f.observed[0]!.endpoint, '/made/up');
  assert.equal(f.observed[0]!.credential, 'cred-1');
  assert.equal(f.observed[0]!.outcome, 'OK');
  assert.equal(f.observed[0]!.result, 'ok');
  assert.equal(typeof f.observed[0]!.startedAt, 'bigint');
  assert.deepEqual(f.refusals, []);
});

test('another method: the front refuses it (405, not routed), observed once; no HEAD route', async (t) => {
  const f = await madeUpFront();
  t.after(() => f.app.close());
  for (const method of ['GET', 'PUT', 'DELETE', 'HEAD']) {
    const r = await fetch(f.url, { method });
    assert.equal(r.status, 405, method);
    if (method !== 'HEAD') assert.deepEqual(await r.json(), { refused: 405, why: `HTTP ${method} is not served on /made/up; send POST` });
  }
  assert.deepEqual(
    f.refusals.map((r) => [r.status, r.routed]),
    [
      [405, false],
      [405, false],
      [405, false],
      [405, false],
    ],
  );
  assert.deepEqual(
    f.observed.map((o) => [o.outcome, o.result]),
    [
      ['R405', 'refused'],
      ['R405', 'refused'],
      ['R405', 'refused'],
      ['R405', 'refused'],
    ],
  );
});

test('a body too large and a Content-Type nothing reads: refused by the front (routed), observed once each', async (t) => {
  const f = await madeUpFront();
  t.after(() => f.app.close());
  const large = await fetch(f.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'a='.padEnd(200, 'x'),
  });
  assert.deepEqual(await large.json(), { refused: 413, why: 'the request body is larger than 64 bytes' });
  const text = await fetch(f.url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' });
  // The kit's parsers never throw: an unsupported type reaches the handler as an invalid body.
  assert.deepEqual(await text.json(), { ok: true, body: 'invalid' });
  assert.deepEqual(
    f.refusals.map((r) => [r.status, r.routed]),
    [[413, true]],
  );
  assert.deepEqual(
    f.observed.map((o) => [o.outcome, o.result]),
    [
      ['R413', 'refused'],
      ['OK', 'ok'],
    ],
  );
});

test("a handler that throws: the front's 500 refusal (routed), observed once, not twice", async (t) => {
  const f = await madeUpFront();
  t.after(() => f.app.close());
  const r = await fetch(f.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'boom=1' });
  assert.equal(r.status, 200);
  const body = (await r.json()) as { refused: number; why: string };
  assert.equal(body.refused, 500);
  assert.match(body.why, /^unexpected error; request id /);
  assert.equal(f.refusals[0]!.routed, true);
  assert.deepEqual(
    f.observed.map((o) => [o.outcome, o.credential, o.result]),
    [['R500', null, 'error']],
  );
});

test('resultOf: the shared result of a thrown error, from what it is and what the front made of it', () => {
  const failure = { code: 'any front failure' };
  const rejected = (reason: ConstructorParameters<typeof UpstreamRejected>[3]) =>
    new UpstreamRejected('wechat', '40029', 'invalid code', reason);
  const cases: [unknown, unknown, string][] = [
    [new Error('a bug'), undefined, 'error'],
    [new InvalidSignature('bad sign'), failure, 'refused'],
    [new Disabled('off'), failure, 'refused'],
    [new NotFound('developerKey', 'no key'), failure, 'refused'],
    [new UpstreamUnavailable('wechat', 'timed out', undefined, 'timeout'), failure, 'upstream_error'],
    [new UpstreamUnavailable('jucai', 'first call still running', undefined, 'in-progress'), failure, 'refused'],
    [rejected('invalid-code'), failure, 'refused'],
    [rejected('expired-code'), failure, 'refused'],
    [rejected('bad-recipient'), failure, 'refused'],
    [rejected('bad-credentials'), failure, 'upstream_error'],
    [rejected('busy'), failure, 'upstream_error'],
    [rejected('other'), failure, 'upstream_error'],
    // A domain error the front's table did not map is still kaifang's own failure.
    [new InvalidSignature('unmapped'), undefined, 'error'],
  ];
  for (const [err, f, expected] of cases) assert.equal(resultOf(err, f), expected, `${(err as Error).name}: ${(err as Error).message}`);
});
