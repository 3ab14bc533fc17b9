import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeBackend, needsPostgresAndRedis, TEST_ADMIN_TOKEN } from '../../../../test/helpers/backends.ts';
import { serveProcess, stopProcess } from '../../../../test/helpers/children.ts';
import { assertSigned, independentSign, type Reply } from './helpers.ts';

test('storepos limits and one-time codes hold across two processes on PostgreSQL + Redis', { skip: needsPostgresAndRedis }, async (t) => {
  const backend = await makeBackend('postgres+redis');
  t.after(() => backend.cleanup());
  const env = { ...backend.env, KAIFANG_UPSTREAM_TIMEOUT_MS: '2000' };
  // The first one migrates; the second starts on the migrated schema.
  const a = await serveProcess(env);
  t.after(() => stopProcess(a.child));
  const b = await serveProcess(env);
  t.after(() => stopProcess(b.child));

  const admin = async (path: string, method = 'GET', body?: unknown) => {
    const res = await fetch(a.url + '/admin/api' + path, {
      method,
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  const agent = await admin('/storepos/agents', 'POST', { name: 'cross-process agent' });
  assert.equal(agent.status, 201);
  const { agentId, secret: key } = agent.body as { agentId: string; secret: string };
  const post = async (url: string, path: string, params: Record<string, string>) => {
    const fields = { agent_id: agentId, pid: 'p', version: '1.0', ...params };
    const res = await fetch(url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...fields, sign: independentSign(fields, key) }).toString(),
    });
    const reply = (await res.json()) as Reply;
    assertSigned(reply, key);
    return reply;
  };
  const outbox = async (mobile: string) => (await admin(`/sandbox/sms?mobile=${mobile}`)).body.messages as { code: string }[];

  // 40 concurrent sends for one mobile, half at each process: exactly one code is sent.
  const mobile = '13612345678';
  const sends = await Promise.all(Array.from({ length: 40 }, (_, i) => post(i % 2 ? a.url : b.url, '/Mch/GetMchSMSValid', { mobile })));
  assert.equal(sends.filter((r) => r.state === 'SUCCESS' && r.code === '20').length, 1, JSON.stringify(sends));
  assert.equal(sends.filter((r) => r.state === 'FAIL' && r.code === '10008').length, 39);
  const sent = await outbox(mobile);
  assert.equal(sent.length, 1);

  // 100 concurrent correct checks across both processes: exactly one succeeds.
  const checks = await Promise.all(
    Array.from({ length: 100 }, (_, i) => post(i % 2 ? a.url : b.url, '/Mch/CheckMchSMSValid', { mobile, valid_code: sent[0]!.code })),
  );
  assert.equal(checks.filter((r) => r.code === '10000').length, 1);

  // The agent's daily cap across processes: cap 4 (one already used) → exactly 3 more distinct mobiles.
  assert.equal((await admin(`/storepos/agents/${agentId}`, 'PATCH', { smsDailyCap: 4 })).status, 200);
  // Each process may have cached the agent for KAIFANG_CACHE_TTL_MS (2 s); wait that bound out.
  await new Promise((r) => setTimeout(r, 2100));
  const mobiles = Array.from({ length: 12 }, (_, i) => `135000000${String(i).padStart(2, '0')}`);
  const capped = await Promise.all(mobiles.map((m, i) => post(i % 2 ? a.url : b.url, '/Mch/GetMchSMSValid', { mobile: m })));
  assert.equal(capped.filter((r) => r.code === '20').length, 3, JSON.stringify(capped));
  assert.equal(capped.filter((r) => r.state === 'FAIL' && r.code === '10008').length, 9);
  let delivered = 0;
  for (const m of mobiles) delivered += (await outbox(m)).length;
  assert.equal(delivered, 3);
});
