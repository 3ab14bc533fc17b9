import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedThread, type ThreadReply } from '../../src/kernel/worker.ts';

/**
 * A role for a SharedThread: answers `{ n }` with `{ ok, n, role, threadId }` after `delayMs`, in
 * order; `fail` with an error and a code; `die` exits the thread with code 3.
 */
const ROLE = new URL(
  `data:text/javascript,${encodeURIComponent(`
import { threadId } from 'node:worker_threads';
export function serve(port, data) {
  let queue = Promise.resolve();
  port.on('message', (m) => {
    queue = queue.then(() => new Promise((r) => setTimeout(r, m.delayMs ?? 0))).then(() => {
      if (m.die) process.exit(3);
      if (m.fail) port.postMessage({ ok: false, error: m.fail, code: 'E_TEST' });
      else port.postMessage({ ok: true, n: m.n, role: data.role, threadId });
    });
  });
}`)}`,
);
type Reply = (ThreadReply & { ok: false }) | { ok: true; n: number; role: string; threadId: number };

test('ThreadChannel: each request gets the answer to its own message, in order; an error answer keeps its code', async () => {
  const c = new SharedThread('test thread').open<Reply>(ROLE, { role: 'a' }, 'test role', 'tester');
  const answers = await Promise.allSettled([
    c.request({ n: 1, delayMs: 20 }),
    c.request({ n: 2 }),
    c.request({ fail: 'no such table' }),
    c.request({ n: 4 }),
  ]);
  assert.deepEqual(
    answers.map((a) => (a.status === 'fulfilled' ? a.value.n : `${(a.reason as Error).message} (${(a.reason as { code: string }).code})`)),
    [1, 2, 'tester: no such table (E_TEST)', 4],
  );
  await c.close({ n: 0 });
  assert.match(String(c.failure), /the test role is closed/);
  await assert.rejects(c.request({ n: 5 }), /the test role is closed/);
});

test('ThreadChannel: close waits for the answers due before it stops the thread', async () => {
  const c = new SharedThread('test thread').open<Reply>(ROLE, { role: 'a' }, 'test role');
  const slow = c.request({ n: 7, delayMs: 100 });
  await c.close({ n: 0 });
  assert.equal((await slow).n, 7);
});

test('SharedThread: two roles on one thread, each answered on its own channel, in order; it ends with the last one', async () => {
  const thread = new SharedThread('shared test thread');
  assert.equal(thread.worker, undefined, 'no thread before the first role');
  const a = thread.open<Reply>(ROLE, { role: 'a' }, 'role a');
  const b = thread.open<Reply>(ROLE, { role: 'b' }, 'role b');
  const [a1, b1, a2] = await Promise.all([a.request({ n: 1, delayMs: 30 }), b.request({ n: 2 }), a.request({ n: 3 })]);
  assert.ok(a1.ok && b1.ok && a2.ok);
  assert.deepEqual([a1.n, a1.role, b1.n, b1.role, a2.n, a2.role], [1, 'a', 2, 'b', 3, 'a']);
  assert.equal(a1.threadId, b1.threadId, 'one thread');
  assert.equal(a1.threadId, thread.worker!.threadId);
  let exited = false;
  thread.worker!.once('exit', () => {
    exited = true;
  });
  await a.close({ n: 0 });
  await assert.rejects(a.request({ n: 4 }), /the role a is closed/);
  assert.equal((await b.request({ n: 5 })).n, 5, 'the other role still answers');
  assert.equal(exited, false);
  await b.close({ n: 0 });
  assert.equal(exited, true, 'the last role closed stops the thread');
  assert.throws(() => thread.open(ROLE, { role: 'c' }, 'role c'), /the shared test thread is closed/);
});

test('SharedThread: when the thread dies, every role fails with its exit, and each onFailure runs once', async () => {
  const thread = new SharedThread('shared test thread');
  const a = thread.open<Reply>(ROLE, { role: 'a' }, 'role a');
  const b = thread.open<Reply>(ROLE, { role: 'b' }, 'role b');
  let failures = 0;
  a.onFailure = () => failures++;
  b.onFailure = () => failures++;
  const due = b.request({ n: 1, delayMs: 200 });
  await assert.rejects(a.request({ die: true, delayMs: 20 }), /the shared test thread exited \(code 3\)/);
  await assert.rejects(due, /the shared test thread exited \(code 3\)/);
  await assert.rejects(b.request({ n: 2 }), /the shared test thread exited \(code 3\)/);
  assert.equal(failures, 2);
  await a.close({ n: 0 });
  await b.close({ n: 0 });
});
