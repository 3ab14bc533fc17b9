import { test } from 'node:test';
import { fronts } from '../../src/fronts/all.ts';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { makeBackend, TEST_MASTER_KEY } from '../helpers/backends.ts';
import { kaifang } from './run.ts';
import { served } from '../helpers/children.ts';

/** The operator's day: the CLI never works on the wrong store, settings and signals behave. */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const installed = new Set<string>(fronts.map((front) => front.name));

test('an operator command on a place with no kaifang store refuses, naming where it looked, and creates nothing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kaifang-nostore-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const empty = join(dir, 'data');
  for (const args of [
    ['opretail', 'keys', 'list'],
    ['storepos', 'agents', 'create', '--name', 'x'],
    ['weiting', 'apps', 'list', '--json'],
    ['wechat', 'miniapps', 'list'],
  ]) {
    const r = await kaifang({ KAIFANG_DATA_DIR: empty }, args);
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
    assert.match(
      r.stderr,
      new RegExp(`no kaifang store in ${empty.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(no kaifang\\.sqlite there\\)`),
    );
    assert.match(r.stderr, /--data-dir DIR or KAIFANG_DATA_DIR .* DATABASE_URL/);
  }
  assert.equal(existsSync(empty), false, 'no directory, store, master key or admin token was made');
  // --data-dir names it too; migrate makes the store, then the command works.
  const viaFlag = await kaifang({}, ['weiting', 'apps', 'list', '--data-dir', empty]);
  assert.match(viaFlag.stderr, /no kaifang store in/);
  assert.equal((await kaifang({ KAIFANG_DATA_DIR: empty, KAIFANG_MASTER_KEY: TEST_MASTER_KEY }, ['migrate'])).code, 0);
  const listed = await kaifang({ KAIFANG_DATA_DIR: empty, KAIFANG_MASTER_KEY: TEST_MASTER_KEY }, ['weiting', 'apps', 'list', '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  assert.deepEqual(listed.json(), { apps: [], total: 0, limit: 100, offset: 0 });
});

test('a PostgreSQL schema that holds no store is refused the same way', {
  skip: process.env.DATABASE_URL ? false : 'DATABASE_URL is not set',
}, async () => {
  const r = await kaifang(
    { DATABASE_URL: process.env.DATABASE_URL!, KAIFANG_DB_SCHEMA: 'kaifang_nostore_test', KAIFANG_MASTER_KEY: TEST_MASTER_KEY },
    ['opretail', 'keys', 'list'],
  );
  assert.equal(r.code, 1);
  assert.match(r.stderr, /no kaifang store in the PostgreSQL database .*\(schema kaifang_nostore_test\) \(DATABASE_URL\)/);
  const down = await kaifang({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test', KAIFANG_MASTER_KEY: TEST_MASTER_KEY }, [
    'opretail',
    'keys',
    'list',
  ]);
  assert.equal(down.code, 1);
  assert.match(down.stderr, /DATABASE_URL: cannot connect to PostgreSQL/);
});

test('serve: --port out of range names the flag; unknown KAIFANG_* variables are reported with the nearest setting; --json banner with a first-credential hint that works anywhere', async (t) => {
  const backend = await makeBackend('sqlite');
  t.after(() => backend.cleanup());
  const bad = await kaifang(backend.env, ['serve', '--port', '70000']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--port must be a TCP port from 0 to 65535, got "70000"/);

  const child = spawn(process.execPath, ['bin/kaifang.js', 'serve', '--port', '0', '--json'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: '',
      REDIS_URL: '',
      ...backend.env,
      KAIFANG_LOG_LEVEL: 'silent',
      KAIFANG_PROT: '9000',
      KAIFANG_WEITING_TOKEN_DAILY_LIMITS: '5',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  served(child, undefined);
  t.after(() => child.kill('SIGKILL'));
  const banner = await new Promise<Record<string, any>>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('{"listening"')) resolve(JSON.parse(line));
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}`)));
  });
  assert.match(banner.listening, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.deepEqual(banner.warnings, [
    'KAIFANG_PROT is not a kaifang setting; did you mean KAIFANG_PORT? (it is ignored)',
    'KAIFANG_WEITING_TOKEN_DAILY_LIMITS is not a kaifang setting; did you mean KAIFANG_WEITING_TOKEN_DAILY_LIMIT? (it is ignored)',
  ]);
  assert.match(banner.firstCredential, new RegExp(`--data-dir ${backend.env.KAIFANG_DATA_DIR!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
  // The hint, pasted in another directory, reaches this server's store.
  const args = banner.firstCredential.replace(/^npx kaifang /, '').split(' ');
  const made = await kaifang({ KAIFANG_MASTER_KEY: backend.env.KAIFANG_MASTER_KEY! }, [...args, '--json']);
  assert.equal(made.code, 0, made.stderr);
  const health = await fetch(`${banner.listening}/healthz`);
  assert.equal(health.status, 200);
});

test('npm start hands SIGTERM to the server: it drains and exits, nothing left answering', async (t) => {
  const backend = await makeBackend('sqlite');
  t.after(() => backend.cleanup());
  const npm = spawn('npm', ['start', '--silent', '--', '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: '', REDIS_URL: '', ...backend.env, KAIFANG_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => npm.kill('SIGKILL'));
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: npm.stdout }).on('line', (line) => {
      out += line + '\n';
      const m = /^kaifang listening on (http:\/\/\S+)/.exec(line);
      if (m) resolve(m[1]!);
    });
    npm.once('exit', (code) => reject(new Error(`npm start exited ${code}: ${out}`)));
  });
  assert.equal((await fetch(`${url}/healthz`)).status, 200);
  const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
  npm.kill('SIGTERM');
  assert.equal(await exited, 0, out);
  assert.match(out, /"signal":"SIGTERM".*"msg":"shutting down"/);
  await assert.rejects(fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) }), 'nothing answers after npm start got SIGTERM');
  // The build the start script made is the one the CLI then prefers.
  assert.ok(readdirSync(join(ROOT, 'dist', 'cli')).includes('main.js'));
});

test('reading a secret from an empty stdin is one line for every command that takes one', async (t) => {
  const backend = await makeBackend('sqlite');
  t.after(() => backend.cleanup());
  assert.equal((await kaifang(backend.env, ['migrate'])).code, 0);
  for (const args of [
    ['weiting', 'apps', 'import', '--appid', 'a1', '--name', 'x', '--secret', '-'],
    ['storepos', 'agents', 'import', '--agent-id', '1', '--key', '-', '--name', 'x'],
    ['wechat', 'official-accounts', 'create', '--appid', 'wx1234567890abcdef', '--secret', '-'],
    ['wechat', 'miniapps', 'create', '--appid', 'wx1234567890abcdef', '--secret', '-'],
    ['jucai', 'apps', 'import', '--app-id', 'A', '--mch-no', 'M', '--secret', '-'],
  ].filter(([front]) => installed.has(front!))) {
    const r = await kaifang(backend.env, args, '');
    assert.equal(r.code, 1, args.join(' '));
    assert.match(r.stderr, /^kaifang: no \w+ on standard input \(--\w+\)\n$/, r.stderr);
  }
});

test('a data directory that cannot be made (under /proc) stops serve and migrate at once, naming it', { timeout: 30_000 }, async () => {
  for (const command of ['serve', 'migrate']) {
    const r = await kaifang({ KAIFANG_DATA_DIR: '/proc/kaifang-nowhere' }, [command, '--port', '0'].slice(0, command === 'serve' ? 3 : 1));
    assert.equal(r.code, 1, `${command}: ${r.stderr}`);
    assert.match(r.stderr, /cannot create the directory \/proc\/kaifang-nowhere: ENOENT/);
  }
});
