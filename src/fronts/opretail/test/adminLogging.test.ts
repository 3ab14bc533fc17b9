import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { loadConfig } from '../../../server/config.ts';
import { buildApp } from '../../../server/app.ts';
import { createKaifang } from '../../../server/kaifang.ts';
import { createLogger } from '../../../server/logger.ts';
import { makeBackend, TEST_ADMIN_TOKEN } from '../../../../test/helpers/backends.ts';

test('the opretail admin API never logs a secret, even at trace level and on failures', async (t) => {
  const backend = await makeBackend('sqlite');
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const k = await createKaifang(loadConfig(backend.env, { port: 0 }), { logger: createLogger('trace', sink as never) });
  const app = await buildApp(k);
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.after(async () => {
    await app.close();
    await k.close();
    await backend.cleanup();
  });
  const { port } = app.server.address() as { port: number };
  const call = async (path: string, body: unknown) => {
    const res = await fetch(`http://127.0.0.1:${port}/admin/api/opretail${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  const imported = 'imported-secret-do-not-log-1';
  const created = await call('/keys', { username: 'x', enterpriseId: 1, applicationKey: 'S107-log01', applicationSecret: imported });
  assert.equal(created.status, 201);
  const duplicate = await call('/keys', {
    username: 'x',
    enterpriseId: 1,
    applicationKey: 'S107-log01',
    applicationSecret: 'duplicate-secret-not-logged',
  });
  assert.equal(duplicate.status, 409);
  const bad = await call('/keys', { username: 'x', enterpriseId: 'one', applicationSecret: 'invalid-request-secret-x' });
  assert.equal(bad.status, 400);
  const rotated = await call('/keys/S107-log01/rotate-secret', { applicationSecret: 'rotated-secret-do-not-log' });
  assert.equal(rotated.status, 200);
  const random = (await call('/keys/S107-log01/rotate-secret', {})).body.secret as string;

  const log = lines.join('');
  assert.ok(log.includes('/admin/api/opretail/keys'), 'requests are logged at all');
  for (const secret of [
    imported,
    'duplicate-secret-not-logged',
    'invalid-request-secret-x',
    'rotated-secret-do-not-log',
    random,
    TEST_ADMIN_TOKEN,
  ]) {
    assert.equal(log.includes(secret), false, `a secret appears in the log`);
  }
});
