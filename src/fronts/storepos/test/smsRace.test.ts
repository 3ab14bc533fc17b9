import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backendNames, makeBackend, TEST_ADMIN_TOKEN } from '../../../../test/helpers/backends.ts';
import { serveProcess, stopProcess } from '../../../../test/helpers/children.ts';
import { independentSign, type Reply } from './helpers.ts';

/**
 * A correct SMS code checked by many concurrent requests at two processes succeeds exactly once,
 * also after four wrong guesses (a correct check never destroys the code), and wrong guesses stay
 * limited to five.
 */
for (const name of backendNames()) {
  test(`storepos SMS checks across two processes: exactly one correct check succeeds, wrong guesses limited to 5 (${name})`, async (t) => {
    const backend = await makeBackend(name);
    t.after(() => backend.cleanup());
    const a = await serveProcess(backend.env);
    t.after(() => stopProcess(a.child));
    const b = await serveProcess(backend.env);
    t.after(() => stopProcess(b.child));

    const admin = async (path: string, body?: unknown) => {
      const res = await fetch(a.url + '/admin/api' + path, {
        method: body ? 'POST' : 'GET',
        headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return (await res.json()) as any;
    };
    const { agentId, secret: key } = (await admin('/storepos/agents', { name: 'race agent' })) as { agentId: string; secret: string };
    const post = async (url: string, path: string, params: Record<string, string>): Promise<Reply> => {
      const fields = { agent_id: agentId, pid: 'p', version: '1.0', ...params };
      const res = await fetch(url + path, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ ...fields, sign: independentSign(fields, key) }).toString(),
      });
      return (await res.json()) as Reply;
    };
    let n = Math.floor(Math.random() * 90_000_000);
    const freshCode = async () => {
      const mobile = `137${String(n++).padStart(8, '0')}`;
      assert.equal((await post(a.url, '/Mch/GetMchSMSValid', { mobile })).code, '20');
      const code = ((await admin(`/sandbox/sms?mobile=${mobile}`)).messages as { code: string }[])[0]!.code;
      return { mobile, code, wrong: code === '000000' ? '111111' : '000000' };
    };
    const check = (url: string, mobile: string, code: string) => post(url, '/Mch/CheckMchSMSValid', { mobile, valid_code: code });
    const successes = (replies: Reply[]) => replies.filter((r) => r.state === 'SUCCESS' && r.code === '10000').length;

    // After four wrong guesses, two correct checks at once (one per process): exactly one wins. 20 rounds.
    for (let round = 0; round < 20; round++) {
      const c = await freshCode();
      for (let i = 0; i < 4; i++) await check(i % 2 ? a.url : b.url, c.mobile, c.wrong);
      const replies = await Promise.all([check(a.url, c.mobile, c.code), check(b.url, c.mobile, c.code)]);
      assert.equal(successes(replies), 1, `round ${round}: ${JSON.stringify(replies)}`);
    }

    // 300 concurrent correct checks across the two: exactly one.
    const c = await freshCode();
    const many = await Promise.all(Array.from({ length: 300 }, (_, i) => check(i % 2 ? a.url : b.url, c.mobile, c.code)));
    assert.equal(successes(many), 1);

    // 50 concurrent wrong guesses, then the right code: five wrong guesses at most were compared,
    // and they destroyed it.
    const d = await freshCode();
    const wrong = Array.from({ length: 51 }, (_, i) => String(100000 + i))
      .filter((g) => g !== d.code)
      .slice(0, 50);
    const guesses = await Promise.all(wrong.map((g, i) => check(i % 2 ? a.url : b.url, d.mobile, g)));
    assert.equal(successes(guesses), 0);
    assert.equal(successes([await check(a.url, d.mobile, d.code)]), 0, 'the code is gone after the wrong guesses');
  });
}
