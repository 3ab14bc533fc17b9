import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomDigits, randomString } from '../../src/kernel/random.ts';

test('randomString: the length asked, only the alphabet, every character about equally likely', () => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const seen = new Map<string, number>();
  const strings = new Set<string>();
  // 4,000 strings of 32: 128,000 characters, more than 31 pools of 4 KiB, so refills are crossed.
  for (let i = 0; i < 4000; i++) {
    const s = randomString(32, alphabet);
    assert.equal(s.length, 32);
    strings.add(s);
    for (const c of s) seen.set(c, (seen.get(c) ?? 0) + 1);
  }
  assert.equal(strings.size, 4000, 'no string repeats');
  assert.deepEqual([...seen.keys()].sort(), [...alphabet].sort());
  // Chi-square over 36 characters (35 degrees of freedom): 99.99 % of fair runs stay below 75.
  // A modulo bias (e.g. bytes 252–255 not dropped) puts the first four characters ~1.5 % high,
  // which this sample does not reliably see; the rule itself is held below.
  const expected = (4000 * 32) / alphabet.length;
  const chi = [...seen.values()].reduce((sum, n) => sum + (n - expected) ** 2 / expected, 0);
  assert.ok(chi < 75, `chi-square ${chi.toFixed(1)}`);
});

test('randomString: alphabets of 1, 10, 62 and 256 characters; anything larger is refused', () => {
  assert.equal(randomString(5, 'x'), 'xxxxx');
  assert.match(randomDigits(16), /^\d{16}$/);
  assert.match(randomString(40), /^[A-Za-z0-9]{40}$/);
  const all = Array.from({ length: 256 }, (_, i) => String.fromCharCode(0x4e00 + i)).join('');
  assert.equal(randomString(64, all).length, 64);
  assert.throws(() => randomString(1, all + 'a'), RangeError);
  assert.throws(() => randomString(1, ''), RangeError);
});
