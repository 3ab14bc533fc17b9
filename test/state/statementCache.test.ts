import { test } from 'node:test';
import assert from 'node:assert/strict';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { withStatementCache } from '../../src/store/statementCache.ts';

/** Kysely's SQLite queries prepare each SQL text once (src/store/statementCache.ts). */

function counted(max?: number) {
  const sqlite = new SQLite(':memory:');
  const prepared: string[] = [];
  const prepare = sqlite.prepare.bind(sqlite);
  sqlite.prepare = ((text: string) => {
    prepared.push(text);
    return prepare(text);
  }) as typeof sqlite.prepare;
  const cached = withStatementCache(sqlite, max);
  return {
    sqlite,
    prepared,
    cached,
    db: new Kysely<{ t: { id: number; name: string } }>({ dialect: new SqliteDialect({ database: cached }) }),
  };
}

test('a query text is prepared once, whatever its values', async () => {
  const { db, prepared } = counted();
  await sql`create table t (id integer primary key, name text)`.execute(db);
  for (let i = 1; i <= 20; i++)
    await db
      .insertInto('t')
      .values({ id: i, name: `n${i}` })
      .execute();
  for (let i = 1; i <= 20; i++)
    assert.equal((await db.selectFrom('t').select('name').where('id', '=', i).executeTakeFirst())?.name, `n${i}`);
  assert.equal(prepared.filter((s) => s.startsWith('insert')).length, 1);
  assert.equal(prepared.filter((s) => s.startsWith('select')).length, 1);
  await db.destroy();
});

test('past its bound the least recently used text goes, and a text in use stays', () => {
  const { cached, prepared } = counted(2);
  const a = cached.prepare('select 1');
  cached.prepare('select 2');
  assert.equal(cached.prepare('select 1'), a, 'used again: now the most recent');
  cached.prepare('select 3'); // drops "select 2"
  assert.equal(cached.prepare('select 1'), a);
  cached.prepare('select 2');
  assert.deepEqual(prepared, ['select 1', 'select 2', 'select 3', 'select 2']);
});

test('a statement still being iterated is not handed out again: that text gets a statement of its own', () => {
  const { cached, sqlite } = counted();
  sqlite.exec("create table t (id integer primary key, name text); insert into t values (1, 'a'), (2, 'b')");
  const first = cached.prepare('select id from t order by id');
  const rows = first.iterate([]);
  assert.deepEqual(rows.next().value, { id: 1 });
  const second = cached.prepare('select id from t order by id');
  assert.notEqual(second, first);
  assert.deepEqual(second.all([]), [{ id: 1 }, { id: 2 }]);
  assert.deepEqual(rows.next().value, { id: 2 });
});

test('a cached statement sees a schema change made after it was prepared', async () => {
  const { db } = counted();
  await sql`create table t (id integer primary key, name text)`.execute(db);
  await db.insertInto('t').values({ id: 1, name: 'a' }).execute();
  assert.deepEqual(await db.selectFrom('t').selectAll().execute(), [{ id: 1, name: 'a' }]);
  await sql`alter table t add column extra text default 'x'`.execute(db);
  assert.deepEqual(await db.selectFrom('t').selectAll().execute(), [{ id: 1, name: 'a', extra: 'x' }]);
  await db.destroy();
});
