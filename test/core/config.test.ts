import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, redactUrl } from '../../src/kernel/settings.ts';
import { loadConfig, settings } from '../../src/server/config.ts';

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a ConfigError, got none');
}

function withFile(content: string, run: (path: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'kaifang-config-'));
  try {
    const path = join(dir, 'kaifang.json');
    writeFileSync(path, content);
    run(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('defaults with an empty environment', () => {
  const c = loadConfig({});
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.port, 8080);
  assert.equal(c.dataDir, './data');
  assert.equal(c.databaseUrl, undefined);
  assert.equal(c.redisUrl, undefined);
  assert.equal(c.upstreamMode, 'sandbox');
  assert.equal(c.logRequests, true);
  assert.equal(c.bodyLimit, 65536);
  assert.equal(c.opretailAid, 'S107');
  assert.equal(c.opretailTimestampWindowS, 600);
  // every setting in the table has a value
  for (const name of Object.keys(settings)) assert.ok(name in c, name);
});

test('good values are parsed', () => {
  const c = loadConfig({
    KAIFANG_PORT: ' 9090 ',
    KAIFANG_UPSTREAM: 'LIVE',
    KAIFANG_LOG_REQUESTS: 'off',
    DATABASE_URL: 'postgresql://u:p@db:5432/k',
    REDIS_URL: 'rediss://cache:6380',
    KAIFANG_PUBLIC_URL: 'https://open.example.com',
    KAIFANG_LOG_LEVEL: 'Warn',
  });
  assert.equal(c.port, 9090);
  assert.equal(c.upstreamMode, 'live');
  assert.equal(c.logRequests, false);
  assert.equal(c.databaseUrl, 'postgresql://u:p@db:5432/k');
  assert.equal(c.redisUrl, 'rediss://cache:6380');
  assert.equal(c.publicUrl, 'https://open.example.com');
  assert.equal(c.logLevel, 'warn');
  // empty optional settings mean "unset"
  assert.equal(loadConfig({ DATABASE_URL: '', REDIS_URL: '' }).databaseUrl, undefined);
});

// One bad value per validated setting; each must be refused with an error naming that setting.
const bad: Record<string, string[]> = {
  KAIFANG_PORT: ['abc', '-1', '65536', '80.5', '0x50', '1e3', ''],
  DATABASE_URL: ['not a url', 'mysql://db/k', 'http://db'],
  REDIS_URL: ['::::', 'postgres://x', 'http://cache'],
  KAIFANG_UPSTREAM: ['prod', ''],
  KAIFANG_PUBLIC_URL: ['example.com', 'ftp://example.com'],
  KAIFANG_LOG_LEVEL: ['verbose'],
  KAIFANG_LOG_REQUESTS: ['maybe', '2'],
  KAIFANG_BODY_LIMIT: ['100', '999999999999', 'big'],
  KAIFANG_CACHE_TTL_MS: ['-5', '600001'],
  KAIFANG_CACHE_SIZE: ['-1', 'x'],
  KAIFANG_UPSTREAM_TIMEOUT_MS: ['99', '120001'],
  KAIFANG_CALL_LOG_RETENTION_DAYS: ['0', '3651'],
  KAIFANG_OPRETAIL_TIMESTAMP_WINDOW_S: ['0', '86401'],
  KAIFANG_OPRETAIL_RATE_PER_SECOND: ['0', '1000001'],
  KAIFANG_OPRETAIL_RATE_PER_DAY: ['0', '1000000001'],
};

test('every bad value is refused with a ConfigError naming its setting', () => {
  for (const [env, values] of Object.entries(bad)) {
    for (const value of values) {
      const err = configError(() => loadConfig({ [env]: value }));
      assert.equal(err.setting, env, `${env}=${value}`);
      assert.ok(err.message.startsWith(`${env}: `), err.message);
    }
  }
});

test('every setting of the table, probed with nonsense, either accepts it or names itself', () => {
  // Settings are added by every front; this holds for all of them without listing them here.
  const probes = ['not valid!', '-1', '99999999999999999999', '::::', 'x', '1.5'];
  for (const s of Object.values(settings)) {
    let refused = 0;
    for (const probe of probes) {
      try {
        loadConfig({ [s.env]: probe });
      } catch (err) {
        assert.ok(err instanceof ConfigError, `${s.env}=${probe}: ${String(err)}`);
        assert.equal(err.setting, s.env, `${s.env}=${probe}`);
        assert.ok(err.message.startsWith(`${s.env}: `), err.message);
        refused++;
      }
    }
    // numeric, boolean and enumerated settings must refuse at least one of these
    if (typeof s.default === 'number' || typeof s.default === 'boolean') assert.ok(refused > 0, `${s.env} accepted every probe`);
  }
});

test('a bad database URL does not print its password', () => {
  const err = configError(() => loadConfig({ DATABASE_URL: 'mysql://kaifang:hunter2@db/k' }));
  assert.ok(!err.message.includes('hunter2'), err.message);
  const err2 = configError(() => loadConfig({ REDIS_URL: 'redis//user:hunter2@cache' }));
  assert.ok(!err2.message.includes('hunter2'), err2.message);
  assert.equal(redactUrl('postgres://u:secret@h/db'), 'postgres://u:***@h/db');
});

test('config file: read, environment wins over it, overrides win over both', () => {
  withFile(
    JSON.stringify({ KAIFANG_PORT: 9000, KAIFANG_HOST: '0.0.0.0', KAIFANG_LOG_REQUESTS: false, KAIFANG_OPRETAIL_AID: 'S200' }),
    (path) => {
      const fromFile = loadConfig({ KAIFANG_CONFIG: path });
      assert.equal(fromFile.port, 9000);
      assert.equal(fromFile.host, '0.0.0.0');
      assert.equal(fromFile.logRequests, false);
      assert.equal(fromFile.opretailAid, 'S200');
      const envWins = loadConfig({ KAIFANG_CONFIG: path, KAIFANG_PORT: '9001' });
      assert.equal(envWins.port, 9001);
      assert.equal(envWins.host, '0.0.0.0');
      const overrideWins = loadConfig({ KAIFANG_CONFIG: path, KAIFANG_PORT: '9001' }, { port: 0 });
      assert.equal(overrideWins.port, 0);
    },
  );
});

test('config file: a bad value in it names the setting', () => {
  withFile(JSON.stringify({ KAIFANG_PORT: 'eighty' }), (path) => {
    assert.equal(configError(() => loadConfig({ KAIFANG_CONFIG: path })).setting, 'KAIFANG_PORT');
  });
  withFile(JSON.stringify({ KAIFANG_UPSTREAM: 'staging' }), (path) => {
    assert.equal(configError(() => loadConfig({ KAIFANG_CONFIG: path })).setting, 'KAIFANG_UPSTREAM');
  });
  // a value of the wrong JSON type (object, array, null) is refused too, not turned into "[object Object]"
  for (const value of [{ a: 1 }, ['0.0.0.0'], null]) {
    withFile(JSON.stringify({ KAIFANG_HOST: value }), (path) => {
      assert.equal(configError(() => loadConfig({ KAIFANG_CONFIG: path })).setting, 'KAIFANG_HOST', JSON.stringify(value));
    });
  }
});

test('config file: an unknown key is an error naming it', () => {
  withFile(JSON.stringify({ KAIFANG_PORT: 9000, KAIFANG_PROT: 9001 }), (path) => {
    const err = configError(() => loadConfig({ KAIFANG_CONFIG: path }));
    assert.equal(err.setting, 'KAIFANG_PROT');
    assert.match(err.message, /not a kaifang setting/);
  });
});

test('config file: missing, not JSON, or not an object names KAIFANG_CONFIG', () => {
  assert.equal(configError(() => loadConfig({ KAIFANG_CONFIG: '/nonexistent/kaifang.json' })).setting, 'KAIFANG_CONFIG');
  for (const content of ['{ "KAIFANG_PORT": ', '[1,2]', 'null', '"text"', '42']) {
    withFile(content, (path) => {
      assert.equal(configError(() => loadConfig({ KAIFANG_CONFIG: path })).setting, 'KAIFANG_CONFIG', content);
    });
  }
});
