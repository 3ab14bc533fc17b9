import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { PackedReader, PackedWriter } from '../../src/kernel/worker.ts';

/** Strings no separator could carry: empty, null beside empty, every kind of character a value may hold. */
const STRINGS: (string | null)[] = [
  '',
  null,
  'a',
  '\0',
  '\n\r\t',
  'opretail:key:12',
  '中文 émoji 😀',
  'x'.repeat(5000),
  '\uD800',
  '%E4%B8%AD',
];

test('PackedWriter/PackedReader: strings, nulls and numbers come back as written, across a thread', async () => {
  const w = new PackedWriter();
  const expected: (string | number | null)[] = [];
  for (let i = 0; i < 200; i++) {
    const s = STRINGS[i % STRINGS.length]!;
    const n = [0, -1, 1.5, 2 ** 53 - 1, Number.MAX_VALUE, -0.25][i % 6]!;
    w.str(s).num(n);
    expected.push(s, n);
  }
  // The thread echoes what it got: what the reader reads is what structured cloning delivered.
  const echo = new Worker(
    `require('node:worker_threads').parentPort.on('message', (m) => require('node:worker_threads').parentPort.postMessage(m));`,
    {
      eval: true,
    },
  );
  const delivered = await new Promise<ReturnType<PackedWriter['done']>>((resolve) => {
    echo.once('message', resolve);
    echo.postMessage(w.done());
  });
  await echo.terminate();
  const read = new PackedReader(delivered);
  const got: (string | number | null)[] = [];
  while (read.more) got.push(read.str(), read.num());
  assert.deepEqual(got, expected);
});

test('PackedWriter: an empty batch reads as nothing', () => {
  assert.equal(new PackedReader(new PackedWriter().done()).more, false);
});
