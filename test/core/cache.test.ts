import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TtlCache } from '../../src/core/cache.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A loader that counts its calls and answers `value-<key>`, or nothing for keys starting "none". */
function loader() {
  const loads: string[] = [];
  const load = (key: string) => async () => {
    loads.push(key);
    return key.startsWith('none') ? undefined : { v: `value-${key}` };
  };
  return { loads, load };
}

test('TtlCache: a hit does not load again; a miss is remembered too', async () => {
  const cache = new TtlCache<{ v: string }>(10, 60_000);
  const { loads, load } = loader();
  assert.deepEqual(await cache.get('a', load('a')), { v: 'value-a' });
  assert.deepEqual(await cache.get('a', load('a')), { v: 'value-a' });
  assert.equal(await cache.get('none1', load('none1')), undefined);
  assert.equal(await cache.get('none1', load('none1')), undefined);
  assert.deepEqual(loads, ['a', 'none1']);
  cache.delete('a');
  await cache.get('a', load('a'));
  cache.clear();
  await cache.get('none1', load('none1'));
  assert.deepEqual(loads, ['a', 'none1', 'a', 'none1']);
});

test('TtlCache: holds at most its size, dropping the least recently used', async () => {
  const cache = new TtlCache<{ v: string }>(3, 60_000);
  const { loads, load } = loader();
  for (const key of ['a', 'b', 'c']) await cache.get(key, load(key));
  await cache.get('a', load('a')); // a is now the most recently used; b the least
  await cache.get('d', load('d')); // over the size: b goes
  loads.length = 0;
  for (const key of ['a', 'c', 'd']) await cache.get(key, load(key));
  assert.deepEqual(loads, [], 'a, c and d are still held');
  await cache.get('b', load('b'));
  assert.deepEqual(loads, ['b'], 'b was dropped');
  // 1,000 more keys through a cache of 3: still at most 3 held (the three latest).
  for (let i = 0; i < 1000; i++) await cache.get(`k${i}`, load(`k${i}`));
  loads.length = 0;
  for (const key of ['k999', 'k998', 'k997', 'k996']) await cache.get(key, load(key));
  assert.deepEqual(loads, ['k996']);
});

test('TtlCache: an entry is loaded again once its TTL has passed', async () => {
  const cache = new TtlCache<{ v: string }>(10, 50);
  const { loads, load } = loader();
  await cache.get('a', load('a'));
  await cache.get('none', load('none'));
  await sleep(200);
  await cache.get('a', load('a'));
  await cache.get('none', load('none'));
  assert.deepEqual(loads, ['a', 'none', 'a', 'none']);
});

test('TtlCache: a size or TTL of 0 caches nothing', async () => {
  for (const cache of [new TtlCache<{ v: string }>(0, 60_000), new TtlCache<{ v: string }>(10, 0)]) {
    const { loads, load } = loader();
    await cache.get('a', load('a'));
    await cache.get('a', load('a'));
    assert.deepEqual(loads, ['a', 'a']);
  }
});
