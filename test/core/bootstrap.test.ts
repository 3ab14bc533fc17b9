import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/server/config.ts';
import { ConfigError } from '../../src/kernel/settings.ts';
import { loadBootstrap, parseMasterKey } from '../../src/server/bootstrap.ts';
import { runTogether } from '../helpers/children.ts';

const NEW_STORE = { storeIsNew: true, storeName: 'test store' };

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'kaifang-boot-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const mode = (path: string) => statSync(path).mode & 0o777;

test('first start creates master.key and admin.token with mode 0600 (even under umask 000); second start reuses them', (t) => {
  const dir = join(tempDir(t), 'nested', 'data');
  const old = process.umask(0);
  let first: ReturnType<typeof loadBootstrap>;
  try {
    first = loadBootstrap(loadConfig({ KAIFANG_DATA_DIR: dir }), NEW_STORE);
  } finally {
    process.umask(old);
  }
  const keyFile = join(dir, 'master.key');
  const tokenFile = join(dir, 'admin.token');
  assert.deepEqual(first.created.sort(), [tokenFile, keyFile].sort());
  assert.equal(mode(keyFile), 0o600);
  assert.equal(mode(tokenFile), 0o600);
  assert.equal(first.masterKey.length, 32);
  assert.equal(readFileSync(keyFile, 'utf8').trim(), first.masterKey.toString('hex'));
  assert.equal(readFileSync(tokenFile, 'utf8').trim(), first.adminToken);
  assert.ok(first.adminToken.length >= 32);
  assert.equal(first.masterKeySource, keyFile);
  assert.equal(first.adminTokenSource, tokenFile);
  // nothing else (no temporary files) is left in the directory
  assert.deepEqual(readdirSync(dir).sort(), ['admin.token', 'master.key']);

  const second = loadBootstrap(loadConfig({ KAIFANG_DATA_DIR: dir }), NEW_STORE);
  assert.deepEqual(second.created, []);
  assert.ok(second.masterKey.equals(first.masterKey));
  assert.equal(second.adminToken, first.adminToken);
});

test('several processes starting together on a fresh data directory all succeed and agree on one key and token', async (t) => {
  const child = fileURLToPath(new URL('./fixtures/bootstrap-child.ts', import.meta.url));
  // Repeat a few rounds: before the fix, about two rounds in three had a child fail with EEXIST
  // or read a half-written master.key.
  for (let round = 0; round < 3; round++) {
    const dir = tempDir(t);
    const results = await runTogether<{ masterKey?: string; adminToken?: string; created?: number; error?: string }>(child, 4, {
      env: { KAIFANG_DATA_DIR: dir, KAIFANG_MASTER_KEY: '', KAIFANG_ADMIN_TOKEN: '' },
    });
    for (const r of results) assert.equal(r.error, undefined, `round ${round}: ${r.error}`);
    assert.equal(new Set(results.map((r) => r.masterKey)).size, 1);
    assert.equal(new Set(results.map((r) => r.adminToken)).size, 1);
    // each file was created by exactly one of them
    assert.equal(
      results.reduce((n, r) => n + (r.created ?? 0), 0),
      2,
    );
    assert.equal(results[0]!.masterKey, readFileSync(join(dir, 'master.key'), 'utf8').trim());
    assert.deepEqual(readdirSync(dir).sort(), ['admin.token', 'master.key']);
  }
});

test('KAIFANG_MASTER_KEY as 64 hex characters or as base64 of 32 bytes; no files made', (t) => {
  const dir = tempDir(t);
  const raw = randomBytes(32);
  for (const text of [
    raw.toString('hex'),
    raw.toString('hex').toUpperCase(),
    raw.toString('base64'),
    raw.toString('base64url'),
    ` ${raw.toString('hex')}\n`,
  ]) {
    const b = loadBootstrap(
      loadConfig({ KAIFANG_DATA_DIR: dir, KAIFANG_MASTER_KEY: text, KAIFANG_ADMIN_TOKEN: 'a-long-enough-admin-token' }),
      NEW_STORE,
    );
    assert.ok(b.masterKey.equals(raw), text);
    assert.equal(b.masterKeySource, 'KAIFANG_MASTER_KEY');
    assert.equal(b.adminToken, 'a-long-enough-admin-token');
    assert.deepEqual(b.created, []);
  }
  assert.deepEqual(readdirSync(dir), []);
});

test('a bad KAIFANG_MASTER_KEY is a ConfigError naming it, without echoing the value', (t) => {
  const dir = tempDir(t);
  const raw = randomBytes(32);
  const bad = [
    'short',
    raw.toString('hex').slice(0, 63), // 63 hex
    raw.toString('hex').slice(0, 62), // 31 bytes of hex
    raw.toString('hex') + 'ab', // 33 bytes of hex
    randomBytes(31).toString('base64'),
    randomBytes(33).toString('base64'),
    '!!!!' + raw.toString('base64'), // junk that a lenient base64 decoder would skip
    raw.toString('base64').slice(0, 20) + ' ' + raw.toString('base64').slice(20),
    'zz' + raw.toString('hex').slice(2),
  ];
  for (const text of bad) {
    assert.throws(
      () => loadBootstrap(loadConfig({ KAIFANG_DATA_DIR: dir, KAIFANG_MASTER_KEY: text }), NEW_STORE),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError, String(err));
        assert.equal(err.setting, 'KAIFANG_MASTER_KEY');
        assert.ok(!err.message.includes(text.trim()), err.message);
        return true;
      },
      text,
    );
  }
  assert.throws(() => parseMasterKey('', 'X'), /X: must be 32 bytes/);
});

test('a corrupt master.key file is a ConfigError naming the file; a short KAIFANG_ADMIN_TOKEN names its setting', (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'master.key'), 'not a key\n', { mode: 0o600 });
  assert.throws(
    () => loadBootstrap(loadConfig({ KAIFANG_DATA_DIR: dir }), NEW_STORE),
    (err: unknown) => err instanceof ConfigError && err.setting === join(dir, 'master.key'),
  );
  assert.throws(
    () =>
      loadBootstrap(
        loadConfig({ KAIFANG_DATA_DIR: dir, KAIFANG_MASTER_KEY: randomBytes(32).toString('hex'), KAIFANG_ADMIN_TOKEN: 'short' }),
        NEW_STORE,
      ),
    (err: unknown) => err instanceof ConfigError && err.setting === 'KAIFANG_ADMIN_TOKEN',
  );
});
