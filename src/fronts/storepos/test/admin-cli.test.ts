import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { backendNames, makeBackend } from '../../../../test/helpers/backends.ts';
import { startServer } from '../../../../test/helpers/server.ts';
import { assertSigned, independentSign, type Reply } from './helpers.ts';

const run = promisify(execFile);

for (const backend of backendNames()) {
  test(`storepos admin API: agents, import, caps, rotation, mini-programs, grants (${backend})`, async (t) => {
    const s = await startServer({ backend });
    t.after(() => s.close());

    const created = await s.admin('/storepos/agents', { body: { name: '代理商 A', smsDailyCap: 50 } });
    assert.equal(created.status, 201);
    assert.match(created.body.agentId, /^[1-9]\d{16}$/);
    assert.match(created.body.secret, /^[A-Za-z0-9]{32}$/);
    assert.deepEqual(
      { ...created.body, agentId: 'x', secret: 'x', createdAt: 'x', updatedAt: 'x' },
      { agentId: 'x', name: '代理商 A', status: 'enabled', smsDailyCap: 50, secret: 'x', appids: [], createdAt: 'x', updatedAt: 'x' },
    );

    const imported = await s.admin('/storepos/agents', { body: { name: 'moved', agentId: '13000000000000000', key: 'K'.repeat(32) } });
    assert.equal(imported.status, 201);
    assert.equal(imported.body.agentId, '13000000000000000');
    const dup = await s.admin('/storepos/agents', { body: { name: 'again', agentId: '13000000000000000', key: 'K'.repeat(32) } });
    assert.equal(dup.status, 409);
    const badKey = await s.admin('/storepos/agents', { body: { name: 'x', agentId: '1', key: 'has space' } });
    assert.equal(badKey.status, 400);
    assert.equal(badKey.body.error.param, 'key');
    const badId = await s.admin('/storepos/agents', { body: { name: 'x', agentId: 'abc' } });
    assert.equal(badId.body.error.param, 'agentId');
    const unknownField = await s.admin('/storepos/agents', { body: { name: 'x', agent_id: '1' } });
    assert.equal(unknownField.status, 400);
    assert.equal(unknownField.body.error.param, 'agent_id');

    const list = await s.admin('/storepos/agents');
    assert.equal(list.body.agents.length, 2);
    assert.ok(list.body.agents.every((a: { secret?: string }) => a.secret === undefined));
    assert.equal((await s.admin('/storepos/agents/19999999999999999')).status, 404);

    assert.equal((await s.admin('/storepos/agents/13000000000000000/disable', { method: 'POST' })).body.status, 'disabled');
    assert.equal((await s.admin('/storepos/agents/13000000000000000/enable', { method: 'POST' })).body.status, 'enabled');
    const setKey = await s.admin('/storepos/agents/13000000000000000/rotate-key', { body: { key: 'N'.repeat(32) } });
    assert.equal(setKey.body.secret, 'N'.repeat(32));
    const patched = await s.admin('/storepos/agents/13000000000000000', { method: 'PATCH', body: { smsDailyCap: null, name: 'renamed' } });
    assert.equal(patched.body.smsDailyCap, null);
    assert.equal(patched.body.name, 'renamed');

    // Mini-programs: the secret goes in, never comes out.
    const app = await s.admin('/wechat/miniapps', { body: { appid: 'wx4da448cd29920000', secret: 'S3cretS3cretS3cret', name: 'demo' } });
    assert.equal(app.status, 201);
    assert.deepEqual(Object.keys(app.body).sort(), ['appid', 'createdAt', 'name', 'status', 'updatedAt']);
    assert.equal((await s.admin('/wechat/miniapps', { body: { appid: 'wx4da448cd29920000', secret: 'another1' } })).status, 409);
    assert.equal((await s.admin('/wechat/miniapps', { body: { appid: 'nope', secret: 'another1' } })).body.error.param, 'appid');
    assert.equal((await s.admin('/wechat/miniapps', { body: { appid: 'wx4da448cd29920001' } })).body.error.param, 'secret');
    assert.equal(
      (await s.admin('/wechat/miniapps/wx4da448cd29920000/secret', { method: 'PUT', body: { secret: 'NewSecretValue' } })).status,
      200,
    );
    const apps = await s.admin('/wechat/miniapps');
    assert.ok(!JSON.stringify(apps.body).includes('S3cret') && !JSON.stringify(apps.body).includes('NewSecret'));
    assert.equal((await s.admin('/wechat/miniapps/wx4da448cd29920000')).body.status, 'enabled');

    const granted = await s.admin('/storepos/agents/13000000000000000/grants/wx4da448cd29920000', { method: 'PUT' });
    assert.deepEqual(granted.body.appids, ['wx4da448cd29920000']);
    assert.equal((await s.admin('/storepos/agents/13000000000000000/grants/wx0000000000000000', { method: 'PUT' })).status, 404);
    const revoked = await s.admin('/storepos/agents/13000000000000000/grants/wx4da448cd29920000', { method: 'DELETE' });
    assert.deepEqual(revoked.body.appids, []);
  });
}

test('storepos and wechat CLI commands with --json, and serve --demo requests that work', async (t) => {
  const backend = await makeBackend('sqlite');
  t.after(() => backend.cleanup());
  // The CLI must reach this test's SQLite directory only, whatever DATABASE_URL / REDIS_URL CI sets.
  const { DATABASE_URL: _db, REDIS_URL: _redis, ...inherited } = process.env;
  const env = { ...inherited, ...backend.env };
  const cli = async (...args: string[]) => {
    const { stdout } = await run(process.execPath, ['bin/kaifang.js', ...args, '--json'], { env });
    return JSON.parse(stdout) as any;
  };

  await cli('migrate'); // an operator command needs a store
  const a = await cli('storepos', 'agents', 'create', '--name', 'cli agent', '--sms-daily-cap', '7');
  assert.match(a.agentId, /^\d{17}$/);
  assert.match(a.secret, /^[A-Za-z0-9]{32}$/);
  assert.equal(a.smsDailyCap, 7);
  const imported = await cli(
    'storepos',
    'agents',
    'import',
    '--agent-id',
    '12345678901234567',
    '--key',
    'k'.repeat(32),
    '--name',
    'imported',
  );
  assert.equal(imported.secret, undefined);
  assert.equal((await cli('storepos', 'agents', 'list')).agents.length, 2);
  assert.equal((await cli('storepos', 'agents', 'disable', a.agentId)).status, 'disabled');
  assert.equal((await cli('storepos', 'agents', 'enable', a.agentId)).status, 'enabled');
  const rotated = await cli('storepos', 'agents', 'rotate-key', a.agentId);
  assert.notEqual(rotated.secret, a.secret);
  assert.equal((await cli('storepos', 'agents', 'set-sms-cap', a.agentId, 'default')).smsDailyCap, null);
  assert.equal(
    (await cli('wechat', 'miniapps', 'create', '--appid', 'wx0123456789abcdef', '--secret', 'secret-1234', '--name', 'app')).appid,
    'wx0123456789abcdef',
  );
  assert.equal((await cli('wechat', 'miniapps', 'set-secret', 'wx0123456789abcdef', '--secret', 'secret-5678')).status, 'enabled');
  assert.equal((await cli('wechat', 'miniapps', 'list')).miniapps.length, 1);
  assert.equal((await cli('wechat', 'miniapps', 'show', 'wx0123456789abcdef')).name, 'app');
  assert.deepEqual((await cli('storepos', 'agents', 'grant', a.agentId, 'wx0123456789abcdef')).appids, ['wx0123456789abcdef']);
  assert.deepEqual((await cli('storepos', 'agents', 'show', a.agentId)).appids, ['wx0123456789abcdef']);
  assert.deepEqual((await cli('storepos', 'agents', 'revoke', a.agentId, 'wx0123456789abcdef')).appids, []);
  const signed = await cli('storepos', 'sign', a.agentId, 'mobile=13800000000');
  assert.equal(signed.sign, independentSign(signed, rotated.secret));

  // A failing command: one line on stderr, exit code 1, no stack.
  await assert.rejects(
    run(process.execPath, ['bin/kaifang.js', 'storepos', 'agents', 'show', '1'], { env }),
    (err: { code: number; stderr: string }) => {
      assert.equal(err.code, 1);
      assert.match(err.stderr, /^kaifang: no agent 1\n$/);
      return true;
    },
  );

  // serve --demo on the same data: seeds idempotently (the CLI's agent and app are left alone) and
  // prints requests that work as printed.
  const s = await startServer({ env: backend.env });
  // The whole server: a failure below must not leave its port open (the test process would never end).
  t.after(() => s.close());
  const { storeposDemo } = await import('../demo.ts');
  const { demoContext } = await import('../../../cli/serve.ts');
  await storeposDemo(s.k.fronts.storepos, demoContext(s.k, s.url));
  const text = await storeposDemo(s.k.fronts.storepos, demoContext(s.k, s.url));
  const agents = await s.admin('/storepos/agents');
  assert.equal(agents.body.agents.length, 3);
  const key = (await s.k.fronts.storepos.agents.findForSigning('13000000000000000'))!.key;
  const bodies = [...text.matchAll(/curl -s -X POST (\S+) -d '([^']+)'/g)];
  assert.equal(bodies.length, 2);
  for (const [, url, body] of bodies) {
    const res = await fetch(url!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: body! });
    const reply = (await res.json()) as Reply;
    assertSigned(reply, key);
    assert.equal(reply.state, 'SUCCESS', JSON.stringify(reply));
    assert.ok(['20', '10000'].includes(reply.code), JSON.stringify(reply));
  }
  assert.match(text, /CheckMchSMSValid -d "\$\(npx kaifang storepos sign 13000000000000000 mobile=13800000000 valid_code=CODE/);
});
