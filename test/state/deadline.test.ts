import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { SqlStateStore } from '../../src/state/sql.ts';
import { StateUnavailable } from '../../src/state/state.ts';
import { systemClock } from '../../src/kernel/clock.ts';
import { migrateToLatest } from '../../src/store/database.ts';
import type { Database } from '../../src/store/schema.ts';
import { migrations } from '../../src/server/storeLayout.ts';
import { makeBackend } from '../helpers/backends.ts';
import { frontFixtures } from '../helpers/frontFixtures.ts';
import { startServer } from '../helpers/server.ts';

/**
 * Every short-lived-state operation has a deadline (KAIFANG_STATE_TIMEOUT_MS): with Redis
 * unreachable, or reachable but silent, a call that needs state fails in its front's shape in well
 * under the 4–15 s it took before; the SQL state on PostgreSQL has the same deadline.
 */

/** A loopback port that nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/**
 * A TCP relay to `target` that can go silent, as a stalled server does: connections stay open and
 * nothing is passed either way until it speaks again, when what was held goes through in order.
 */
async function relay(target: string): Promise<{ port: number; silent: boolean; close(): Promise<void> }> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<net.Socket>();
  const resumers = new Set<() => void>();
  const state = { silent: false };
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(port || 6379), hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    const pass = (from: net.Socket, to: net.Socket) => {
      const held: Buffer[] = [];
      from.on('data', (d: Buffer) => {
        if (state.silent) held.push(d);
        else to.write(d);
      });
      resumers.add(() => {
        for (const d of held.splice(0)) to.write(d);
      });
    };
    pass(client, upstream);
    pass(upstream, client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    get silent() {
      return state.silent;
    },
    set silent(v: boolean) {
      state.silent = v;
      if (!v) for (const resume of resumers) resume();
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** How a call went and how long it took: a reply in the front's shape that the fixture refused, or none at all. */
async function timed(run: () => Promise<void>): Promise<{ ms: number; error?: Error }> {
  const started = Date.now();
  try {
    await run();
    return { ms: Date.now() - started };
  } catch (err) {
    return { ms: Date.now() - started, error: err as Error };
  }
}

/** Each front's fixture call fails fast, having been answered in its front's shape (the fixture's assertion on the reply fails, not the fetch). */
async function assertFailFast(url: string, fixtures: Awaited<ReturnType<typeof frontFixtures>>, creds: unknown[]): Promise<void> {
  for (const [i, { name, fixture }] of fixtures.entries()) {
    const { ms, error } = await timed(() => fixture.callAgain(url, creds[i]));
    assert.ok(ms < 3000, `${name}: ${ms} ms (fails fast rather than waiting for the state backend)`);
    if (error) assert.equal(error.name, 'AssertionError', `${name}: a reply came, in the front's shape: ${error.message}`);
  }
}

test('Redis at a closed port: a call that needs state fails in its front’s shape within the deadline; /readyz names the state', async (t) => {
  const backend = await makeBackend('sqlite');
  t.after(() => backend.cleanup());
  const fixtures = await frontFixtures();
  const healthy = await startServer({ env: backend.env });
  const creds: unknown[] = [];
  for (const { fixture } of fixtures) creds.push(await fixture.fill(healthy));
  await healthy.close();

  const s = await startServer({
    env: { ...backend.env, REDIS_URL: `redis://127.0.0.1:${await closedPort()}`, KAIFANG_STATE_TIMEOUT_MS: '300' },
  });
  t.after(() => s.close());
  await assertFailFast(s.url, fixtures, creds);
  const ready = (await (await fetch(`${s.url}/readyz`)).json()) as { checks: Record<string, string> };
  assert.match(ready.checks.state!, /^failing: Redis \(REDIS_URL\) cannot be reached/);
});

test('a Redis that stops answering: calls fail in the front’s shape within the deadline, and work again when it answers', {
  skip: process.env.REDIS_URL ? false : 'REDIS_URL is not set',
}, async (t) => {
  const backend = await makeBackend('sqlite');
  t.after(() => backend.cleanup());
  const silent = await relay(process.env.REDIS_URL!);
  t.after(() => silent.close());
  const env = { ...backend.env, REDIS_URL: `redis://127.0.0.1:${silent.port}`, KAIFANG_REDIS_PREFIX: `kaifang-deadline-${Date.now()}:` };
  const s = await startServer({ env: { ...env, KAIFANG_STATE_TIMEOUT_MS: '300' } });
  t.after(() => s.close());
  const fixtures = await frontFixtures();
  const creds: unknown[] = [];
  for (const { fixture } of fixtures) creds.push(await fixture.fill(s));

  silent.silent = true;
  await assertFailFast(s.url, fixtures, creds);
  const ready = await fetch(`${s.url}/readyz`);
  assert.equal(ready.status, 503);
  assert.match(((await ready.json()) as { checks: Record<string, string> }).checks.state!, /did not answer within 300 ms/);

  silent.silent = false;
  // The commands that timed out are not sent again late; new ones go through.
  for (const [i, { fixture }] of fixtures.entries()) await fixture.callAgain(s.url, creds[i]);
});

test('the SQL state on PostgreSQL fails with StateUnavailable when the database stops answering', {
  skip: process.env.DATABASE_URL ? false : 'DATABASE_URL is not set',
}, async (t) => {
  const backend = await makeBackend('postgres+redis');
  t.after(() => backend.cleanup());
  const silent = await relay(process.env.DATABASE_URL!);
  t.after(() => silent.close());
  const url = new URL(process.env.DATABASE_URL!);
  url.host = `127.0.0.1:${silent.port}`;
  const schema = backend.env.KAIFANG_DB_SCHEMA!;
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  await admin.end();
  const pool = new pg.Pool({ connectionString: url.toString(), options: `-c search_path=${schema}` });
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
  });
  t.after(() => db.destroy().catch(() => undefined));
  await migrateToLatest(db, migrations, schema);
  const state = new SqlStateStore(db, systemClock, 0, 300);
  assert.equal(await state.incr('k', 60_000), 1);

  silent.silent = true;
  for (const op of [
    () => state.incr('k', 60_000),
    () => state.get('k'),
    () => state.recordOnce('id', 60_000, [{ key: 'c', ttlMs: 1000 }]),
  ]) {
    const started = Date.now();
    await assert.rejects(op(), (err: unknown) => err instanceof StateUnavailable && /did not answer within 300 ms/.test(err.message));
    assert.ok(Date.now() - started < 3000);
  }
  silent.silent = false;
  await silent.close();
});
