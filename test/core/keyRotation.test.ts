import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { SecretBox } from '../../src/kernel/secrets.ts';
import { makeBackend, needsPostgresAndRedis } from '../helpers/backends.ts';
import { frontFixtures } from '../helpers/frontFixtures.ts';
import { startServer } from '../helpers/server.ts';
import { kaifang } from '../cli/run.ts';

/**
 * `kaifang keys rotate-master`: every `*_sealed` value of every table (a table it never heard of
 * too) re-sealed under a new key in one transaction while a server runs; the server takes the new
 * key up and keeps signing; `--confirm` re-seals stragglers and forgets the old key.
 */

const keyOf = (path: string) => Buffer.from(readFileSync(path, 'utf8').trim(), 'hex');

/** Every sealed value of a SQLite store, found by the column naming convention, plus the check row. */
function sealedValues(file: string): string[] {
  const db = new SQLite(file, { readonly: true });
  try {
    const columns = db
      .prepare(
        "SELECT m.name AS t, p.name AS c FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND p.name LIKE '%_sealed'",
      )
      .all() as { t: string; c: string }[];
    const values = columns.flatMap(({ t, c }) =>
      (db.prepare(`SELECT "${c}" AS v FROM "${t}" WHERE "${c}" IS NOT NULL`).all() as { v: string }[]).map((r) => r.v),
    );
    const check = db.prepare("SELECT value FROM platform_meta WHERE name = 'master_key_check'").get() as { value: string };
    return [...values, check.value];
  } finally {
    db.close();
  }
}

const opensWith = (key: Buffer, value: string) => {
  try {
    new SecretBox(key).open(value);
    return true;
  } catch {
    return false;
  }
};

test('rotate-master on the embedded store, a server running: every sealed column re-sealed, the server takes the new key up, --confirm forgets the old', async (t) => {
  const backend = await makeBackend('sqlite');
  t.after(() => backend.cleanup());
  const dir = backend.env.KAIFANG_DATA_DIR!;
  // The key in data-dir/master.key, as a deployment on the embedded default has it.
  const env = { ...backend.env, KAIFANG_MASTER_KEY: '', KAIFANG_CACHE_TTL_MS: '0' };
  assert.equal((await kaifang(env, ['migrate'])).code, 0);
  const s = await startServer({ env });
  t.after(() => s.close());
  const fixtures = await frontFixtures();
  const creds: unknown[] = [];
  for (const { fixture } of fixtures) creds.push(await fixture.fill(s));
  const oldKey = keyOf(join(dir, 'master.key'));
  // A table the rotation has never heard of, with a sealed column by the convention.
  const file = join(dir, 'kaifang.sqlite');
  const db = new SQLite(file);
  db.exec('CREATE TABLE later_front_things (id INTEGER PRIMARY KEY, token_sealed TEXT)');
  db.prepare('INSERT INTO later_front_things (token_sealed) VALUES (?)').run(new SecretBox(oldKey).seal('later-secret'));
  db.close();
  const before = sealedValues(file);
  assert.ok(before.length > fixtures.length);

  const rotated = await kaifang(env, ['keys', 'rotate-master', '--json']);
  assert.equal(rotated.code, 0, rotated.stderr);
  const result = rotated.json();
  assert.ok(result.columns.includes('later_front_things.token_sealed'), JSON.stringify(result.columns));
  assert.equal(result.resealed, before.length);
  const newKey = keyOf(join(dir, 'master.key'));
  assert.ok(!newKey.equals(oldKey));
  assert.ok(keyOf(join(dir, 'master.key.old')).equals(oldKey), 'the old key is kept until confirmed');
  for (const v of sealedValues(file)) {
    assert.ok(opensWith(newKey, v), 'every value opens with the new key');
    assert.ok(!opensWith(oldKey, v), 'and no longer with the old');
  }
  assert.ok(!rotated.stdout.includes(newKey.toString('hex')), 'the key is never printed');

  // The running server reads every credential anew (cache TTL 0) and opens it with the new key.
  for (const [i, { fixture }] of fixtures.entries()) await fixture.callAgain(s.url, creds[i]);
  // What it seals from now on, it seals with the new key (within the cache bound).
  await new Promise((r) => setTimeout(r, 1500));
  const made = await s.admin('/wechat/miniapps', {
    body: { appid: 'wxrotated000000001', secret: 'mini-secret-rotated-0123456789ab', name: 'r' },
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const again = await kaifang(env, ['keys', 'rotate-master']);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /a rotation waits for confirmation/);

  const confirmed = await kaifang(env, ['keys', 'rotate-master', '--confirm', '--json']);
  assert.equal(confirmed.code, 0, confirmed.stderr);
  assert.equal(existsSync(join(dir, 'master.key.old')), false);
  for (const v of sealedValues(file)) assert.ok(opensWith(newKey, v));
  await s.close();
  // A fresh process with only the new key serves the old credentials.
  const after = await startServer({ env });
  t.after(() => after.close());
  for (const [i, { fixture }] of fixtures.entries()) await fixture.callAgain(after.url, creds[i]);
});

test('rotate-master with KAIFANG_MASTER_KEY on PostgreSQL: processes restarted with the new key and the previous one, rotated, confirmed', {
  skip: needsPostgresAndRedis,
}, async (t) => {
  const backend = await makeBackend('postgres+redis');
  t.after(() => backend.cleanup());
  const oldKey = backend.env.KAIFANG_MASTER_KEY!;
  const newKey = randomBytes(32).toString('hex');
  const a = await startServer({ env: { ...backend.env, KAIFANG_CACHE_TTL_MS: '0' } });
  const fixtures = await frontFixtures();
  const creds: unknown[] = [];
  for (const { fixture } of fixtures) creds.push(await fixture.fill(a));
  await a.close();

  const without = await kaifang({ ...backend.env, KAIFANG_MASTER_KEY: newKey }, ['keys', 'rotate-master']);
  assert.equal(without.code, 1);
  assert.match(without.stderr, /restart every process with KAIFANG_MASTER_KEY=<new key> and KAIFANG_MASTER_KEY_PREVIOUS=<current key>/);

  const rolling = { ...backend.env, KAIFANG_MASTER_KEY: newKey, KAIFANG_MASTER_KEY_PREVIOUS: oldKey, KAIFANG_CACHE_TTL_MS: '0' };
  const b = await startServer({ env: rolling });
  t.after(() => b.close());
  for (const [i, { fixture }] of fixtures.entries()) await fixture.callAgain(b.url, creds[i]);
  const rotated = await kaifang(rolling, ['keys', 'rotate-master', '--json']);
  assert.equal(rotated.code, 0, rotated.stderr);
  assert.ok(rotated.json().resealed > 0);
  for (const [i, { fixture }] of fixtures.entries()) await fixture.callAgain(b.url, creds[i]);
  assert.equal((await kaifang(rolling, ['keys', 'rotate-master', '--confirm'])).code, 0);
  await b.close();

  // Every sealed value opens with the new key alone.
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  t.after(() => client.end());
  const schema = backend.env.KAIFANG_DB_SCHEMA!;
  const { rows: columns } = await client.query<{ t: string; c: string }>(
    "SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = $1 AND column_name LIKE '%\\_sealed'",
    [schema],
  );
  assert.ok(columns.length >= 5);
  for (const { t: table, c } of columns) {
    const { rows } = await client.query<{ v: string }>(`SELECT ${c} AS v FROM ${schema}.${table} WHERE ${c} IS NOT NULL`);
    for (const { v } of rows) assert.ok(opensWith(Buffer.from(newKey, 'hex'), v), `${table}.${c}`);
  }
  const c = await startServer({ env: { ...backend.env, KAIFANG_MASTER_KEY: newKey } });
  t.after(() => c.close());
  for (const [i, { fixture }] of fixtures.entries()) await fixture.callAgain(c.url, creds[i]);
});
