import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { startServer } from '../helpers/server.ts';

/** A loopback port that nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

test('readyz answers 503 naming the failing check when the state backend (Redis) is unreachable; healthz stays 200', async (t) => {
  const port = await closedPort();
  const s = await startServer({ env: { REDIS_URL: `redis://127.0.0.1:${port}` } });
  t.after(() => s.close());
  assert.equal(s.k.core.state.backend, 'redis');
  const ready = await fetch(`${s.url}/readyz`);
  assert.equal(ready.status, 503);
  const body = (await ready.json()) as { status: string; checks: Record<string, string> };
  assert.equal(body.status, 'not ready');
  assert.equal(body.checks.database, 'ok');
  assert.match(body.checks.state!, /^failing: /);
  assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
});

test('readyz answers 503 naming the database when the database is closed under it', async (t) => {
  const s = await startServer();
  t.after(() => s.close());
  assert.equal((await fetch(`${s.url}/readyz`)).status, 200);
  await s.k.store.close();
  const ready = await fetch(`${s.url}/readyz`);
  assert.equal(ready.status, 503);
  const body = (await ready.json()) as { checks: Record<string, string> };
  assert.match(body.checks.database!, /^failing: /);
});
