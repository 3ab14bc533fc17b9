import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { ThreadChannel, type ThreadReply } from '../../src/kernel/worker.ts';

/** Answers `{ n }` with `{ ok, n }` after `delayMs`, in order; `fail` with an error and a code; `die` exits. */
const SOURCE = `
const { parentPort } = require('node:worker_threads');
let queue = Promise.resolve();
parentPort.on('message', (m) => {
  queue = queue.then(() => new Promise((r) => setTimeout(r, m.delayMs ?? 0))).then(() => {
    if (m.die) process.exit(3);
    if (m.fail) parentPort.postMessage({ ok: false, error: m.fail, code: 'E_TEST' });
    else parentPort.postMessage({ ok: true, n: m.n });
  });
});
`;

type Reply = (ThreadReply & { ok: false }) | { ok: true; n: number };

const channel = (prefix?: string) => new ThreadChannel<Reply>(new Worker(SOURCE, { eval: true }), 'test thread', prefix);

test('ThreadChannel: each request gets the answer to its own message, in order; an error answer keeps its code', async () => {
  const c = channel('tester');
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
  assert.match(String(c.failure), /the test thread is closed/);
  await assert.rejects(c.request({ n: 5 }), /the test thread is closed/);
});

test('ThreadChannel: when the thread dies, the answers due and every later request fail, and onFailure runs once', async () => {
  const c = channel();
  let failures = 0;
  c.onFailure = () => failures++;
  const dying = c.request({ die: true, delayMs: 20 });
  const due = c.request({ n: 1 });
  await assert.rejects(dying, /the test thread exited \(code 3\)/);
  await assert.rejects(due, /the test thread exited \(code 3\)/);
  await assert.rejects(c.request({ n: 2 }), /the test thread exited \(code 3\)/);
  await c.close({ n: 0 });
  assert.equal(failures, 1);
});

test('ThreadChannel: close waits for the answers due before it stops the thread', async () => {
  const c = channel();
  const slow = c.request({ n: 7, delayMs: 100 });
  await c.close({ n: 0 });
  assert.equal((await slow).n, 7);
});
