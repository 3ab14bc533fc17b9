import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { OnceIndex } from '../../src/state/onceIndex.ts';

/**
 * The index against a plain Map of the same operations, through several doublings of its table
 * (each done a few slots at a time, so ids are read, re-recorded, forgotten and restored while
 * half of them are still in the old table).
 */
test('OnceIndex answers as a Map of id → expiry would, while it grows and forgets', () => {
  const index = new OnceIndex();
  const model = new Map<string, number>();
  const queue: [string, number][] = [];
  let head = 0;
  // A fixed-seed generator: the run is the same every time, and a failure can be replayed.
  let seed = 12345;
  const rand = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  let next = 0;
  let tick = 1;
  let sawGrowing = 0;
  const check = (id: string) => assert.equal(index.get(id), model.get(id), `id ${id}`);

  for (let step = 0; step < 400_000; step++) {
    const roll = rand(100);
    if (roll < 70) {
      // A new id, or (sometimes) one recorded before, live or forgotten.
      const id = roll < 62 || next === 0 ? `id-${next++}` : `id-${rand(next)}`;
      const expiry = tick + 1 + rand(400_000);
      index.set(id, expiry);
      model.set(id, expiry);
      queue.push([id, expiry]);
    } else if (roll < 75 && next > 0) {
      // A rolled-back recording puts back what the id had before (or nothing).
      const id = `id-${rand(next)}`;
      const before = rand(2) === 0 ? undefined : tick + 1 + rand(400_000);
      index.restore(id, before);
      if (before === undefined) model.delete(id);
      else model.set(id, before);
    } else if (roll < 80) {
      tick += rand(40);
      const max = rand(3) === 0 ? 5 : Infinity;
      let forgotten = 0;
      // The model forgets what the index's queue would: in recording order, up to the first live one.
      while (head < queue.length && forgotten < max && queue[head]![1] <= tick) {
        const [id, expiry] = queue[head++]!;
        if (model.get(id) === expiry) model.delete(id);
        forgotten++;
      }
      assert.equal(index.forgetUpTo(tick, max), forgotten);
    } else if (next > 0) {
      check(`id-${rand(next)}`);
    }
    if (index.growing) sawGrowing++;
    if (step % 10_000 === 0) assert.equal(index.size, model.size, `size at step ${step}`);
  }
  assert.equal(index.size, model.size);
  for (let i = 0; i < next; i++) check(`id-${i}`);
  check('never-recorded');
  // The table doubled more than once, and spent a good part of the run between two sizes.
  assert.ok(sawGrowing > 10_000, `the index was growing for ${sawGrowing} steps`);
});

test('OnceIndex: a queue emptied exactly at the end of its chunk, and across chunks, is written and read again', () => {
  const index = new OnceIndex();
  // A table of 65,536 slots (16 bytes each) and one queue chunk of 16,384 entries (16 bytes each).
  assert.equal(index.bytes, 65_536 * 16 + 16_384 * 16);
  // 16,384 entries fill one chunk of the recording-order queue exactly.
  for (let i = 0; i < 16_384; i++) index.set(`a-${i}`, 1);
  assert.equal(index.forgetUpTo(1), 16_384);
  assert.equal(index.size, 0);
  for (let i = 0; i < 40_000; i++) index.set(`b-${i}`, 2 + Math.floor(i / 10_000));
  assert.equal(index.get('a-5'), undefined);
  assert.equal(index.get('b-39999'), 5);
  // Three queue chunks in use (40,000 entries; the emptied first one was kept for them), and the
  // table doubled at 32,768 ids, its old half still beside it while entries move across.
  assert.equal(index.growing, true);
  assert.equal(index.bytes, 3 * 16_384 * 16 + 131_072 * 16 + 65_536 * 16);
  assert.equal(index.forgetUpTo(3), 20_000);
  assert.equal(index.size, 20_000);
  assert.equal(index.get('b-19999'), undefined);
  assert.equal(index.get('b-20000'), 4);
  assert.equal(index.forgetUpTo(10), 20_000);
  assert.equal(index.size, 0);
  index.set('c', 11);
  assert.equal(index.get('c'), 11);
  assert.equal(index.forgetUpTo(11), 1);
});

test('OnceIndex: a table it outgrew and a queue chunk it let go are freed by a scavenge, without a full collection', () => {
  // The thread the index lives on rarely gets a full collection, the only one that frees a buffer
  // that reached the old generation. Both kinds of buffer are aged into it here first.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (options: { type: 'minor' | 'major' }) => void;
  const arrayBuffers = () => process.memoryUsage().arrayBuffers;
  gc({ type: 'major' });
  gc({ type: 'minor' });
  const before = arrayBuffers();
  const index = new OnceIndex();
  const age = () => {
    gc({ type: 'minor' });
    gc({ type: 'minor' });
  };
  age();
  // Two chunks in turn emptied: the first kept as the spare, the second (aged) replacing it.
  for (let i = 0; i < 16_384 * 3; i++) index.set(`q-${i}`, 1 + Math.floor(i / 16_384));
  age();
  assert.equal(index.forgetUpTo(2), 2 * 16_384);
  // 40,000 ids outgrow the first table (65,536 slots); recording goes on until it has moved across.
  for (let i = 0; index.growing || i < 40_000; i++) index.set(`t-${i}`, 10);
  // V8 frees a young buffer's memory on a background thread after the scavenge and counts it
  // freed when that is done; the next collection waits for it first. Without the second one, a
  // loaded machine read one 256-KiB chunk as still held (one suite run of three, 2026-12-07).
  gc({ type: 'minor' });
  gc({ type: 'minor' });
  const kept = arrayBuffers() - before;
  assert.ok(kept <= index.bytes, `${kept} bytes of buffers for an index of ${index.bytes}`);
});
