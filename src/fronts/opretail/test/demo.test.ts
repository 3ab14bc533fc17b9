import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoContext } from '../../../cli/serve.ts';
import { opretailDemo } from '../demo.ts';
import { startServer } from '../../../../test/helpers/server.ts';

test('serve --demo (opretail): seeds one key idempotently and prints a signed call that works once', async (t) => {
  const s = await startServer();
  t.after(() => s.close());
  await opretailDemo(s.k.fronts.opretail, demoContext(s.k, s.url));
  const text = await opretailDemo(s.k.fronts.opretail, demoContext(s.k, s.url));
  assert.equal((await s.k.fronts.opretail.keys.list()).length, 1);
  const m = /curl -s -X POST (\S+) -d '([^']+)'/.exec(text);
  assert.ok(m, text);
  const post = async () =>
    (await (
      await fetch(m[1]!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: m[2]! })
    ).json()) as {
      stat: { code: number };
      data: { applicationKey: string } | null;
    };
  const first = await post();
  assert.equal(first.stat.code, 0);
  assert.equal(first.data?.applicationKey, 'S107-demo');
  assert.equal((await post()).stat.code, -100);
});

test('serve --demo is refused in live mode, naming why, before anything is created', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kaifang-demo-'));
  try {
    const r = spawnSync(process.execPath, ['bin/kaifang.js', 'serve', '--demo', '--port', '0'], {
      env: {
        ...process.env,
        DATABASE_URL: '',
        REDIS_URL: '',
        KAIFANG_DATA_DIR: dataDir,
        KAIFANG_UPSTREAM: 'live',
        KAIFANG_SMS_PROVIDER: 'none',
        KAIFANG_LOG_LEVEL: 'silent',
      },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /--demo .* sandbox mode only/);
    assert.deepEqual(spawnSync('ls', [dataDir], { encoding: 'utf8' }).stdout, '');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
