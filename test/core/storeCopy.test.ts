import { test } from 'node:test';
import assert from 'node:assert/strict';
import SQLite from 'better-sqlite3';
import { NOT_COPIED } from '../../src/store/copy.ts';
import { durableTables } from '../../src/server/storeLayout.ts';
import { makeBackend, needsPostgresAndRedis, type Backend } from '../helpers/backends.ts';
import { startServer } from '../helpers/server.ts';
import { kaifang } from '../cli/run.ts';
import { frontFixtures } from '../helpers/frontFixtures.ts';

/**
 * Growing out of one machine: the embedded SQLite store, filled through the admin API and real
 * calls of every front (each front's test/fixture.ts), copied to PostgreSQL by `kaifang store
 * copy`, then served from the copy with the old credentials.
 */

type Json = Record<string, any>;

test('every table of the store is either copied or named as not copied', async (t) => {
  const backend = await makeBackend('sqlite');
  t.after(() => backend.cleanup());
  assert.equal((await kaifang(backend.env, ['migrate'])).code, 0);
  const db = new SQLite(`${backend.env.KAIFANG_DATA_DIR}/kaifang.sqlite`, { readonly: true });
  const tables = (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'kysely_%'").all() as {
      name: string;
    }[]
  )
    .map((r) => r.name)
    .sort();
  db.close();
  assert.deepEqual(tables, [...durableTables, ...Object.keys(NOT_COPIED)].sort());
});

test('kaifang store copy: a SQLite store moves to PostgreSQL; a server on the copy takes every old credential', {
  skip: needsPostgresAndRedis,
}, async (t) => {
  const sqlite = await makeBackend('sqlite');
  t.after(() => sqlite.cleanup());
  const target: Backend = await makeBackend('postgres+redis');
  t.after(() => target.cleanup());

  const fixtures = await frontFixtures();
  assert.ok(fixtures.length >= 1, 'at least one front gives the platform tests a fixture');
  const before = await startServer({ env: sqlite.env });
  const creds: unknown[] = [];
  for (const { fixture } of fixtures) creds.push(await fixture.fill(before));
  await before.close();

  const copied = await kaifang(sqlite.env, [
    'store',
    'copy',
    '--to',
    process.env.DATABASE_URL!,
    '--to-schema',
    target.env.KAIFANG_DB_SCHEMA!,
    '--json',
  ]);
  assert.equal(copied.code, 0, copied.stderr);
  const result = copied.json();
  const counts = Object.fromEntries((result.tables as { table: string; rows: number }[]).map((r) => [r.table, r.rows]));
  assert.deepEqual(Object.keys(counts), [...durableTables]);
  for (const table of ['call_log', 'platform_meta', ...fixtures.flatMap(({ fixture }) => fixture.filledTables)]) {
    assert.ok((counts[table] ?? 0) > 0, `${table} was copied: ${counts[table]}`);
  }
  assert.deepEqual(
    result.notCopied.map((n: Json) => n.table),
    ['kv_state', 'once_log'],
  );
  assert.match(result.notCopied[0].what, /replay records.*rate-limit windows.*SMS codes/);
  assert.match(result.next, /KAIFANG_DB_SCHEMA=.*KAIFANG_MASTER_KEY/);
  for (const secret of JSON.stringify(creds).match(/"(secret|key)":"[^"]+"/g) ?? [])
    assert.ok(!copied.stdout.includes(secret.split('"')[3]!), 'no secret printed');

  // A second copy into the same place is refused: nothing is mixed.
  const again = await kaifang(sqlite.env, [
    'store',
    'copy',
    '--to',
    process.env.DATABASE_URL!,
    '--to-schema',
    target.env.KAIFANG_DB_SCHEMA!,
  ]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /the target already holds data \(platform_meta: \d+ rows\)/);

  // The copy serves: every old credential, the 微厅 token issued before the move, sealed secrets opened with the same key.
  const after = await startServer({ env: target.env });
  t.after(() => after.close());
  for (const [i, { fixture }] of fixtures.entries()) await fixture.callAgain(after.url, creds[i]);
  const calls = (await after.admin('/calls?limit=1000')).body.calls as Json[];
  assert.ok(calls.length >= 2 * fixtures.length, 'the call log came along and grows');
  // New rows take new ids after the copied ones (a reused id would be a primary-key conflict).
  const count = async () => ((await after.admin('/wechat/miniapps')).body.miniapps as unknown[]).length;
  const before2 = await count();
  const next = await after.admin('/wechat/miniapps', {
    body: { appid: 'wxabcdefabcdef0001', secret: 'mini-secret-after-0123456789abcd', name: 'after' },
  });
  assert.equal(next.status, 201, JSON.stringify(next.body));
  assert.equal(await count(), before2 + 1);
});

test('kaifang store copy refuses a PostgreSQL source and a non-PostgreSQL target, naming them', async (t) => {
  const sqlite = await makeBackend('sqlite');
  t.after(() => sqlite.cleanup());
  assert.equal((await kaifang(sqlite.env, ['migrate'])).code, 0);
  const notPg = await kaifang(sqlite.env, ['store', 'copy', '--to', 'mysql://x/y']);
  assert.equal(notPg.code, 1);
  assert.match(notPg.stderr, /--to must be a postgres:\/\/ URL/);
  const fromPg = await kaifang({ ...sqlite.env, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/x' }, [
    'store',
    'copy',
    '--to',
    'postgres://postgres@127.0.0.1:1/y',
  ]);
  assert.equal(fromPg.code, 1);
  assert.match(fromPg.stderr, /the source of a copy is the embedded SQLite store/);
});
