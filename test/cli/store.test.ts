import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { fronts } from '../../src/fronts/all.ts';
import { KAIFANG_VERSION } from '../../src/kernel/version.ts';
import { makeBackend, needsPostgresAndRedis, TEST_MASTER_KEY } from '../helpers/backends.ts';
import { startServer } from '../helpers/server.ts';
import { kaifang } from './run.ts';
import { served } from '../helpers/children.ts';

/** The store as operators keep it: files only serve and migrate make, private modes, backups, versions, the copy's schema. */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const installed = new Set<string>(fronts.map((f) => f.name));
const mode = (path: string) => statSync(path).mode & 0o777;
/** A directory's files, SQLite's own runtime files (-wal, -shm) aside. */
const files = (dir: string) =>
  readdirSync(dir)
    .filter((f) => !/-(wal|shm)$/.test(f))
    .sort();

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'kaifang-store-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('only serve and migrate create files; a new store’s files are 0600 in a 0700 directory; operator commands read', async (t) => {
  const data = join(tempDir(t), 'data');
  const env = { KAIFANG_DATA_DIR: data };
  const old = process.umask(0o022);
  t.after(() => process.umask(old));
  const made = await kaifang(env, ['migrate', '--json']);
  assert.equal(made.code, 0, made.stderr);
  assert.equal(made.json().version, KAIFANG_VERSION);
  assert.deepEqual(files(data), [
    'admin.token',
    'kaifang.sqlite',
    'kaifang.sqlite-migrate.lock',
    'kaifang.sqlite-serve.lock',
    'master.key',
  ]);
  for (const f of files(data)) assert.equal(mode(join(data, f)), 0o600, f);
  assert.equal(mode(data), 0o700);

  // A restored store without its admin token or lock file: the operator commands add none.
  unlinkSync(join(data, 'admin.token'));
  unlinkSync(join(data, 'kaifang.sqlite-migrate.lock'));
  unlinkSync(join(data, 'kaifang.sqlite-serve.lock'));
  const before = files(data);
  for (const args of [
    ['storepos', 'agents', 'list'],
    ['opretail', 'keys', 'list'],
    ['weiting', 'apps', 'list'],
  ].filter(([front]) => installed.has(front!))) {
    const r = await kaifang(env, args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.deepEqual(files(data), before, `${args.join(' ')} made no file`);
  }
  // …and with its master key lost, a command says to restore it, making no new one.
  unlinkSync(join(data, 'master.key'));
  const noKey = await kaifang(env, ['opretail', 'keys', 'list']);
  assert.equal(noKey.code, 1);
  assert.match(noKey.stderr, /master\.key: is missing, but the store .* holds secrets sealed with a master key: restore that key file/);
  assert.deepEqual(files(data), ['kaifang.sqlite']);
});

test('a store newer than this build names the version that made it and what to do; --version and the store record this one', async (t) => {
  const backend = await makeBackend('sqlite');
  t.after(() => backend.cleanup());
  const v = await kaifang({}, ['--version']);
  assert.equal(v.stdout.trim(), KAIFANG_VERSION);
  assert.equal((await kaifang(backend.env, ['migrate'])).code, 0);
  const file = join(backend.env.KAIFANG_DATA_DIR!, 'kaifang.sqlite');
  const db = new SQLite(file);
  assert.deepEqual(db.prepare("SELECT value FROM platform_meta WHERE name = 'kaifang_version'").get(), { value: KAIFANG_VERSION });
  db.prepare("INSERT INTO kysely_migration (name, timestamp) VALUES ('999_future', '2030-01-01T00:00:00.000Z')").run();
  db.prepare("UPDATE platform_meta SET value = '9.9.9' WHERE name = 'kaifang_version'").run();
  db.close();
  for (const args of [['opretail', 'keys', 'list'], ['migrate']]) {
    const r = await kaifang(backend.env, args);
    assert.equal(r.code, 1, args.join(' '));
    assert.match(r.stderr, /this store is newer than this build: kaifang 9\.9\.9 brought it up to date \(it has migration 999_future\)/);
    assert.match(r.stderr, new RegExp(`this build, kaifang ${KAIFANG_VERSION.replace(/\./g, '\\.')}, knows migrations up to`));
    assert.match(r.stderr, /Run kaifang 9\.9\.9 or later on it; to go back to this version, restore the backup made before the upgrade/);
  }
});

test('store backup while serving takes the write of a moment ago (still in the WAL); restore refuses a served store, checks the key, keeps the old file', async (t) => {
  const backend = await makeBackend('sqlite');
  t.after(() => backend.cleanup());
  const s = await startServer({ env: backend.env });
  t.after(() => s.close());
  const dir = tempDir(t);
  const create = async (i: number) => {
    const r = await s.admin('/wechat/miniapps', {
      body: { appid: `wx${String(i).padStart(16, '0')}`, secret: `mini-secret-${i}-0123456789abcdef0123`, name: `m${i}` },
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  };
  await create(1);
  // Writes go on while the backup runs.
  let writing = true;
  let n = 1;
  const load = (async () => {
    while (writing) await create(++n);
  })();
  const file = join(dir, 'kaifang-backup.sqlite');
  const made = await kaifang(backend.env, ['store', 'backup', file, '--json']);
  writing = false;
  await load;
  assert.equal(made.code, 0, made.stderr);
  assert.equal(mode(file), 0o600);
  assert.match(made.json().note, /keep a copy of the key too/);
  assert.deepEqual(files(dir), ['kaifang-backup.sqlite'], 'one self-contained file');
  assert.equal((await kaifang(backend.env, ['store', 'backup', file])).code, 1, 'never overwrites');

  // The served store cannot be restored under the server.
  const busy = await kaifang(backend.env, ['store', 'restore', file]);
  assert.equal(busy.code, 1);
  assert.match(busy.stderr, /is in use by a running kaifang \(serve or migrate\): stop every process on it first/);

  // Another master key is refused; the right one restores, into a fresh place and over the old store.
  const other = join(dir, 'other');
  const wrongKey = await kaifang({ KAIFANG_DATA_DIR: other, KAIFANG_MASTER_KEY: randomBytes(32).toString('hex') }, [
    'store',
    'restore',
    file,
  ]);
  assert.equal(wrongKey.code, 1);
  assert.match(wrongKey.stderr, /were sealed with another master key/);
  const fresh = await kaifang({ ...backend.env, KAIFANG_DATA_DIR: other }, ['store', 'restore', file, '--json']);
  assert.equal(fresh.code, 0, fresh.stderr);
  const restored = await startServer({ env: { ...backend.env, KAIFANG_DATA_DIR: other } });
  t.after(() => restored.close());
  const apps = (await restored.admin('/wechat/miniapps?limit=1000')).body.miniapps as { appid: string }[];
  assert.ok(
    apps.some((a) => a.appid === 'wx0000000000000001'),
    'the app written just before the backup is there',
  );
  await restored.close();
  await s.close();
  const over = await kaifang(backend.env, ['store', 'restore', file, '--json']);
  assert.equal(over.code, 0, over.stderr);
  assert.ok(existsSync(over.json().kept), 'the replaced store is kept');
});

test('store copy honours KAIFANG_DB_SCHEMA (even an existing empty schema) and says where it copied; the banner names the schema and the Redis prefix', {
  skip: needsPostgresAndRedis,
}, async (t) => {
  const sqlite = await makeBackend('sqlite');
  t.after(() => sqlite.cleanup());
  const target = await makeBackend('postgres+redis');
  t.after(() => target.cleanup());
  const schema = target.env.KAIFANG_DB_SCHEMA!;
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  await client.query(`CREATE SCHEMA ${schema}`);
  await client.end();
  assert.equal((await kaifang(sqlite.env, ['migrate'])).code, 0);
  const copied = await kaifang({ ...sqlite.env, KAIFANG_DB_SCHEMA: schema }, [
    'store',
    'copy',
    '--to',
    process.env.DATABASE_URL!,
    '--json',
  ]);
  assert.equal(copied.code, 0, copied.stderr);
  assert.match(copied.json().to, new RegExp(`\\(schema ${schema}\\)$`));
  assert.match(copied.json().next, new RegExp(`KAIFANG_DB_SCHEMA=${schema}`));

  const child = spawn(process.execPath, ['bin/kaifang.js', 'serve', '--port', '0', '--json'], {
    cwd: ROOT,
    env: { ...process.env, ...target.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  served(child, target.env.KAIFANG_DATA_DIR);
  t.after(() => child.kill('SIGKILL'));
  const banner = await new Promise<Record<string, string>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no banner within 30 s')), 30_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!line.startsWith('{"listening"')) return;
      clearTimeout(timer);
      resolve(JSON.parse(line));
    });
  });
  assert.match(banner.store!, new RegExp(`\\(schema ${schema}\\)$`));
  assert.match(banner.state!, new RegExp(`\\(key prefix ${target.env.KAIFANG_REDIS_PREFIX!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)$`));
  assert.equal(banner.version, KAIFANG_VERSION);
});

test('on PostgreSQL, backup and restore point at pg_dump', async () => {
  const r = await kaifang({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/x', KAIFANG_MASTER_KEY: TEST_MASTER_KEY }, [
    'store',
    'backup',
    '/tmp/x',
  ]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /on PostgreSQL, back up with pg_dump and restore with pg_restore/);
});
