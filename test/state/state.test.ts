import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { ManualClock } from '../../src/kernel/clock.ts';
import { RateLimited, Replayed } from '../../src/kernel/errors.ts';
import { Quotas, ReplayGuard } from '../../src/core/quota.ts';
import { startTogether, type Together } from '../helpers/children.ts';
import { makeStateBackend, stateKinds, type StateBackend } from './stateBackends.ts';

/*
 * One suite, run against every StateStore backend: SQL state on SQLite, SQL state on PostgreSQL
 * and Redis (the last two only when DATABASE_URL and REDIS_URL are set; otherwise they are
 * reported as skipped). Expiry is shown by waiting well past a short TTL (never by asserting how
 * long something took); "not yet expired" is only asserted with long TTLs.
 */

const HAMMER = fileURLToPath(new URL('./fixtures/hammer.ts', import.meta.url));
const PROCESSES = 3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SHORT_TTL = 100;
const PAST_SHORT_TTL = 400;
const LONG_TTL = 600_000;

// 2025-01-01 23:59:59 CST = 2025-01-01T15:59:59Z; python3 -c 'import calendar;print(calendar.timegm((2025,1,1,15,59,59))*1000)'
const LAST_SECOND_OF_CST_DAY = 1735747199000;
// 2025-06-30 12:00:00 CST, the middle of a CST day
const CST_NOON = 1751256000000;

for (const { kind, skip } of stateKinds) {
  describe(`StateStore on ${kind}`, { skip }, () => {
    let b: StateBackend;
    let n = 0;
    /** A key no other test of this run uses. */
    const key = (label: string) => `${label}:${++n}:${randomBytes(3).toString('hex')}`;

    before(async () => {
      b = await makeStateBackend(kind);
    });
    after(async () => {
      await b?.cleanup();
    });

    test('ping answers while the backend is there, and fails once it is not', async () => {
      await assert.doesNotReject(b.state.ping());
      // A second handle on the same backend, closed: its ping must say so rather than pass.
      const other = await makeStateBackend(kind);
      await other.cleanup();
      await assert.rejects(other.state.ping());
    });

    test('set / get / del; a missing key reads as null', async () => {
      const k = key('basic');
      assert.equal(await b.state.get(k), null);
      await b.state.set(k, 'v1 值', LONG_TTL);
      assert.equal(await b.state.get(k), 'v1 值');
      await b.state.set(k, 'v2', LONG_TTL);
      assert.equal(await b.state.get(k), 'v2');
      await b.state.del(k);
      assert.equal(await b.state.get(k), null);
      await b.state.del(k); // deleting a missing key is fine
    });

    test('set with a TTL expires; set again revives', async () => {
      const k = key('ttl');
      await b.state.set(k, 'short', SHORT_TTL);
      await sleep(PAST_SHORT_TTL);
      assert.equal(await b.state.get(k), null);
      await b.state.set(k, 'again', LONG_TTL);
      assert.equal(await b.state.get(k), 'again');
    });

    test('putIfAbsent: first call stores, later ones do not overwrite, after expiry it stores again', async () => {
      const k = key('pia');
      assert.equal(await b.state.putIfAbsent(k, 'first', SHORT_TTL), true);
      assert.equal(await b.state.putIfAbsent(k, 'second', LONG_TTL), false);
      assert.equal(await b.state.get(k), 'first');
      await sleep(PAST_SHORT_TTL);
      assert.equal(await b.state.get(k), null);
      assert.equal(await b.state.putIfAbsent(k, 'third', LONG_TTL), true);
      assert.equal(await b.state.get(k), 'third');
      // the new value got the new (long) TTL, not the old one
      await sleep(PAST_SHORT_TTL);
      assert.equal(await b.state.get(k), 'third');
      assert.equal(await b.state.putIfAbsent(k, 'fourth', LONG_TTL), false);
    });

    test('take: returns the value once, then null; an expired or missing key gives null', async () => {
      const k = key('take');
      await b.state.set(k, 'code-123', LONG_TTL);
      assert.equal(await b.state.take(k), 'code-123');
      assert.equal(await b.state.take(k), null);
      assert.equal(await b.state.get(k), null);
      const e = key('take-expired');
      await b.state.set(e, 'old', SHORT_TTL);
      await sleep(PAST_SHORT_TTL);
      assert.equal(await b.state.take(e), null);
      assert.equal(await b.state.take(key('never-set')), null);
      // a taken key can be stored again
      assert.equal(await b.state.putIfAbsent(k, 'new', LONG_TTL), true);
      assert.equal(await b.state.take(k), 'new');
    });

    test('incr: counts 1, 2, 3; restarts at 1 after the window expires', async () => {
      const k = key('incr');
      assert.equal(await b.state.incr(k, SHORT_TTL), 1);
      assert.equal(await b.state.incr(k, SHORT_TTL), 2);
      assert.equal(await b.state.incr(k, SHORT_TTL), 3);
      await sleep(PAST_SHORT_TTL);
      assert.equal(await b.state.incr(k, LONG_TTL), 1);
      assert.equal(await b.state.incr(k, LONG_TTL), 2);
    });

    test("incr: later increments keep the window's expiry (a short TTL on the 2nd call does not shorten it)", async () => {
      const k = key('incr-keep');
      assert.equal(await b.state.incr(k, LONG_TTL), 1);
      assert.equal(await b.state.incr(k, SHORT_TTL), 2);
      await sleep(PAST_SHORT_TTL);
      assert.equal(await b.state.incr(k, SHORT_TTL), 3);
    });

    test('keys are independent', async () => {
      const a = key('a');
      const c = key('c');
      assert.equal(await b.state.incr(a, LONG_TTL), 1);
      assert.equal(await b.state.incr(c, LONG_TTL), 1);
      assert.equal(await b.state.putIfAbsent(a + 'x', '1', LONG_TTL), true);
      assert.equal(await b.state.putIfAbsent(c + 'x', '1', LONG_TTL), true);
    });

    test('100 concurrent take of one key: exactly one gets the value', async () => {
      const k = key('take100');
      await b.state.set(k, 'once', LONG_TTL);
      const got = await Promise.all(Array.from({ length: 100 }, () => b.state.take(k)));
      assert.deepEqual(
        got.filter((v) => v !== null),
        ['once'],
      );
    });

    test('100 concurrent putIfAbsent of one key: exactly one true, and its value is the one kept', async () => {
      const k = key('pia100');
      const won = await Promise.all(Array.from({ length: 100 }, (_, i) => b.state.putIfAbsent(k, `v${i}`, LONG_TTL)));
      const winners = won.flatMap((w, i) => (w ? [i] : []));
      assert.equal(winners.length, 1);
      assert.equal(await b.state.get(k), `v${winners[0]}`);
    });

    test('100 concurrent putIfAbsent on an expired key: exactly one true', async () => {
      const k = key('pia-expired');
      await b.state.set(k, 'stale', SHORT_TTL);
      await sleep(PAST_SHORT_TTL);
      const won = await Promise.all(Array.from({ length: 100 }, (_, i) => b.state.putIfAbsent(k, `v${i}`, LONG_TTL)));
      assert.equal(won.filter(Boolean).length, 1);
    });

    test('200 concurrent incr: every count 1..200 is returned exactly once', async () => {
      const k = key('incr200');
      const counts = await Promise.all(Array.from({ length: 200 }, () => b.state.incr(k, LONG_TTL)));
      assert.deepEqual(
        [...counts].sort((x, y) => x - y),
        Array.from({ length: 200 }, (_, i) => i + 1),
      );
      assert.equal(await b.state.incr(k, LONG_TTL), 201);
    });

    test('incrAll: every counter counted in one step, counts in the order given; each keeps its own window', async () => {
      const [a, c] = [key('all-a'), key('all-c')];
      assert.deepEqual(await b.state.incrAll([]), []);
      assert.deepEqual(
        await b.state.incrAll([
          { key: a, ttlMs: SHORT_TTL },
          { key: c, ttlMs: LONG_TTL },
        ]),
        [1, 1],
      );
      assert.equal(await b.state.incr(a, SHORT_TTL), 2);
      assert.deepEqual(
        await b.state.incrAll([
          { key: c, ttlMs: LONG_TTL },
          { key: a, ttlMs: SHORT_TTL },
        ]),
        [2, 3],
      );
      await sleep(PAST_SHORT_TTL);
      // a's window ended, c's did not.
      assert.deepEqual(
        await b.state.incrAll([
          { key: a, ttlMs: SHORT_TTL },
          { key: c, ttlMs: LONG_TTL },
        ]),
        [1, 3],
      );
      const shared = key('all-many');
      const many = await Promise.all(Array.from({ length: 50 }, () => b.state.incrAll([{ key: shared, ttlMs: LONG_TTL }])));
      assert.deepEqual(
        many.map(([n]) => n).sort((x, y) => x! - y!),
        Array.from({ length: 50 }, (_, i) => i + 1),
      );
    });

    test('incrBelow: counts up to the limit, then refuses without counting; decr gives one back', async () => {
      const k = key('below');
      assert.equal(await b.state.incrBelow(k, LONG_TTL, 2), 1);
      assert.equal(await b.state.incrBelow(k, LONG_TTL, 2), 2);
      assert.equal(await b.state.incrBelow(k, LONG_TTL, 2), null);
      assert.equal(await b.state.incrBelow(k, LONG_TTL, 2), null);
      await b.state.decr(k);
      assert.equal(await b.state.incrBelow(k, LONG_TTL, 2), 2);
      assert.equal(await b.state.incrBelow(k, LONG_TTL, 3), 3, 'a higher limit counts on from the same window');
      assert.equal(await b.state.incrBelow(key('below-zero'), LONG_TTL, 0), null);
      // decr never goes below 0, and a missing counter stays missing.
      const d = key('decr');
      await b.state.decr(d);
      assert.equal(await b.state.incrBelow(d, LONG_TTL, 1), 1);
      await b.state.decr(d);
      await b.state.decr(d);
      assert.equal(await b.state.incrBelow(d, LONG_TTL, 1), 1);
      // After the window expires the count starts again.
      const s = key('below-short');
      assert.equal(await b.state.incrBelow(s, SHORT_TTL, 1), 1);
      assert.equal(await b.state.incrBelow(s, SHORT_TTL, 1), null);
      await sleep(PAST_SHORT_TTL);
      assert.equal(await b.state.incrBelow(s, SHORT_TTL, 1), 1);
    });

    test('100 concurrent incrBelow against a limit of 7: exactly 7 counted (1..7), the rest refused', async () => {
      const k = key('below100');
      const results = await Promise.all(Array.from({ length: 100 }, () => b.state.incrBelow(k, LONG_TTL, 7)));
      assert.deepEqual(
        results.filter((r) => r !== null).sort((x, y) => x! - y!),
        [1, 2, 3, 4, 5, 6, 7],
      );
    });

    test('recordOnce: counts only when it records; a recorded id counts nothing; ids are not keys', async () => {
      const id = key('ro');
      const c1 = key('ro-c1');
      const c2 = key('ro-c2');
      assert.deepEqual(
        await b.state.recordOnce(id, LONG_TTL, [
          { key: c1, ttlMs: LONG_TTL },
          { key: c2, ttlMs: LONG_TTL },
        ]),
        [1, 1],
      );
      assert.equal(await b.state.recordOnce(id, LONG_TTL, [{ key: c1, ttlMs: LONG_TTL }]), null);
      // Ids are their own namespace: the key-value operations do not see them.
      assert.equal(await b.state.get(id), null);
      assert.equal(await b.state.putIfAbsent(id, 'v', LONG_TTL), true);
      assert.equal(await b.state.recordOnce(id, LONG_TTL, []), null);
      // The refused call did not count: the next count of c1 is 2, not 3.
      assert.deepEqual(await b.state.recordOnce(key('ro-other'), LONG_TTL, [{ key: c1, ttlMs: LONG_TTL }]), [2]);
      assert.deepEqual(await b.state.recordOnce(key('ro-none'), LONG_TTL, []), []);
      // Counters restart after their window, like incr.
      const shortC = key('ro-short');
      assert.deepEqual(await b.state.recordOnce(key('ro-s1'), LONG_TTL, [{ key: shortC, ttlMs: SHORT_TTL }]), [1]);
      await sleep(PAST_SHORT_TTL);
      assert.deepEqual(await b.state.recordOnce(key('ro-s2'), LONG_TTL, [{ key: shortC, ttlMs: SHORT_TTL }]), [1]);
    });

    test('recordOnce: after its TTL an id records (and counts) again', async () => {
      const id = key('ro-ttl');
      const c = key('ro-ttl-c');
      assert.deepEqual(await b.state.recordOnce(id, SHORT_TTL, [{ key: c, ttlMs: LONG_TTL }]), [1]);
      assert.equal(await b.state.recordOnce(id, SHORT_TTL, [{ key: c, ttlMs: LONG_TTL }]), null);
      await sleep(PAST_SHORT_TTL);
      assert.deepEqual(await b.state.recordOnce(id, SHORT_TTL, [{ key: c, ttlMs: LONG_TTL }]), [2]);
    });

    test('100 concurrent recordOnce: one id recorded once, every count 1..100 seen once', async () => {
      const counter = key('ro-cc');
      const same = key('ro-same');
      const results = await Promise.all(
        Array.from({ length: 100 }, () =>
          Promise.all([
            b.state.recordOnce(same, LONG_TTL, [{ key: key('ro-x'), ttlMs: LONG_TTL }]),
            b.state.recordOnce(key('ro-u'), LONG_TTL, [{ key: counter, ttlMs: LONG_TTL }]),
          ]),
        ),
      );
      assert.equal(results.filter(([s]) => s !== null).length, 1);
      assert.deepEqual(
        results.map(([, u]) => u![0]!).sort((x, y) => x - y),
        Array.from({ length: 100 }, (_, i) => i + 1),
      );
    });

    test('1,200 recordOnce in one turn (past what one Redis script takes): each id once, each counted recording counted once', async () => {
      const counter = key('ro-many');
      const base = key('ro-many-id');
      // Ids 0–199 come twice, 1,000 calls apart: in different scripts on Redis (32 a script).
      const results = await Promise.all(
        Array.from({ length: 1200 }, (_, i) => b.state.recordOnce(`${base}:${i % 1000}`, LONG_TTL, [{ key: counter, ttlMs: LONG_TTL }])),
      );
      assert.equal(results.filter((r) => r === null).length, 200);
      assert.deepEqual(
        results.slice(1000).map((r) => r),
        Array.from({ length: 200 }, () => null),
      );
      assert.deepEqual(
        results
          .filter((r) => r !== null)
          .map((r) => r[0]!)
          .sort((x, y) => x - y),
        Array.from({ length: 1000 }, (_, i) => i + 1),
      );
    });

    describe('across processes (each child is a separate node process on the same backend)', () => {
      // The same children for every round: each round is released to all of them at once.
      let hammers: Together;
      before(async () => {
        hammers = await startTogether(HAMMER, PROCESSES, { env: b.env });
      });
      after(() => hammers?.close());

      test(`${PROCESSES} processes take the same 50 keys: each value is taken exactly once`, async () => {
        const prefix = key('xp-take') + ':';
        for (let i = 0; i < 50; i++) await b.state.set(`${prefix}${i}`, `value-${i}`, LONG_TTL);
        const results = await hammers.round<[string, string][]>(() => ['take', prefix, '50']);
        const all = results.flat();
        assert.equal(all.length, 50, `taken ${all.length} times in all`);
        assert.deepEqual(all.map(([k, v]) => `${k}=${v}`).sort(), Array.from({ length: 50 }, (_, i) => `${prefix}${i}=value-${i}`).sort());
      });

      test(`${PROCESSES} processes putIfAbsent the same 50 keys: each key is won exactly once`, async () => {
        const prefix = key('xp-put') + ':';
        const results = await hammers.round<string[]>((i) => ['put', prefix, '50', `proc${i}`]);
        const all = results.flat().sort();
        assert.deepEqual(all, Array.from({ length: 50 }, (_, i) => `${prefix}${i}`).sort());
        // and the stored value is that of the process that won it
        for (const [i, won] of results.entries()) {
          for (const k of won) assert.equal(await b.state.get(k), `proc${i}`);
        }
      });

      test(`${PROCESSES} processes × 100 incr of one key: counts 1..${PROCESSES * 100} each seen once`, async () => {
        const k = key('xp-incr');
        const results = await hammers.round<number[]>(() => ['incr', k, '100']);
        assert.deepEqual(
          results.flat().sort((x, y) => x - y),
          Array.from({ length: PROCESSES * 100 }, (_, i) => i + 1),
        );
      });

      test(`${PROCESSES} processes see the same 50 signed requests: each is accepted once (ReplayGuard)`, async () => {
        const scope = key('xp-replay');
        const results = await hammers.round<number[]>(() => ['replay', scope, '50']);
        assert.deepEqual(
          results.flat().sort((x, y) => x - y),
          Array.from({ length: 50 }, (_, i) => i),
        );
      });

      test(`${PROCESSES} processes × 40 calls against a daily quota of 50: exactly 50 allowed in all`, async () => {
        const scope = key('xp-day');
        const results = await hammers.round<number>(() => ['perDay', scope, '40', '50', String(CST_NOON)]);
        assert.equal(
          results.reduce((x, y) => x + y, 0),
          50,
          `allowed per process: ${results.join(', ')}`,
        );
      });
    });

    describe('ReplayGuard', () => {
      test('a request is accepted once; a second sighting is Replayed; scopes are separate', async () => {
        const guard = new ReplayGuard(b.state);
        const scope = key('rg');
        await guard.once(scope, 'sig-A', LONG_TTL);
        await assert.rejects(guard.once(scope, 'sig-A', LONG_TTL), Replayed);
        await guard.once(scope, 'sig-B', LONG_TTL);
        await guard.once(scope + '-other', 'sig-A', LONG_TTL);
      });

      test('after the remembered window it is accepted again', async () => {
        const guard = new ReplayGuard(b.state);
        const scope = key('rg-ttl');
        // A window long enough that a loaded machine sees the second sighting inside it.
        const window = 1500;
        await guard.once(scope, 'sig', window);
        await assert.rejects(guard.once(scope, 'sig', window), Replayed, 'within the window it is a replay');
        await sleep(window + 500);
        await assert.doesNotReject(guard.once(scope, 'sig', window), 'past the window it is accepted again');
        await assert.rejects(guard.once(scope, 'sig', window), Replayed, 'and remembered again');
      });

      test('100 concurrent sightings of one request: exactly one accepted', async () => {
        const guard = new ReplayGuard(b.state);
        const scope = key('rg100');
        const outcomes = await Promise.allSettled(Array.from({ length: 100 }, () => guard.once(scope, 'sig', LONG_TTL)));
        assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
        for (const o of outcomes) if (o.status === 'rejected') assert.ok(o.reason instanceof Replayed);
      });
    });

    describe('Quotas', () => {
      const outcome = (p: Promise<void>) =>
        p.then(
          () => 'ok' as const,
          (err: unknown) => {
            if (err instanceof RateLimited) return err;
            throw err;
          },
        );

      test('per second: at most the limit within one second, a new second starts afresh', async () => {
        const clock = new ManualClock(CST_NOON + 250);
        const quotas = new Quotas(b.state, clock);
        const scope = key('ps');
        for (let i = 0; i < 3; i++) assert.equal(await outcome(quotas.perSecond(scope, 3)), 'ok');
        const limited = await outcome(quotas.perSecond(scope, 3));
        assert.ok(limited instanceof RateLimited);
        assert.equal(limited.retryAfterSeconds, 1);
        clock.advance(700); // still the same second
        assert.ok((await outcome(quotas.perSecond(scope, 3))) instanceof RateLimited);
        clock.advance(100); // the next second
        assert.equal(await outcome(quotas.perSecond(scope, 3)), 'ok');
        // another scope has its own count
        assert.equal(await outcome(quotas.perSecond(scope + '-b', 3)), 'ok');
      });

      test('per second: 100 concurrent calls against a limit of 10 → exactly 10 allowed', async () => {
        const quotas = new Quotas(b.state, new ManualClock(CST_NOON));
        const scope = key('ps100');
        const results = await Promise.all(Array.from({ length: 100 }, () => outcome(quotas.perSecond(scope, 10))));
        assert.equal(results.filter((r) => r === 'ok').length, 10);
      });

      test('per day: the day is the CST calendar day (resets at 16:00 UTC), retry-after counts to CST midnight', async () => {
        const clock = new ManualClock(LAST_SECOND_OF_CST_DAY);
        const quotas = new Quotas(b.state, clock);
        const scope = key('pd');
        assert.equal(await outcome(quotas.perDay(scope, 2)), 'ok');
        assert.equal(await outcome(quotas.perDay(scope, 2)), 'ok');
        const limited = await outcome(quotas.perDay(scope, 2));
        assert.ok(limited instanceof RateLimited);
        assert.equal(limited.retryAfterSeconds, 1);
        clock.advance(999);
        assert.ok((await outcome(quotas.perDay(scope, 2))) instanceof RateLimited);
        clock.advance(1); // 2025-01-02 00:00:00 CST; still 2025-01-01 in UTC
        assert.equal(await outcome(quotas.perDay(scope, 2)), 'ok');
      });

      test('windows counted by ReplayGuard.once: a replay counts nowhere, enforce refuses past the limit', async () => {
        const quotas = new Quotas(b.state, new ManualClock(CST_NOON));
        const replay = new ReplayGuard(b.state);
        const scope = key('win');
        const windows = quotas.windows(scope, { perSecond: 2, perDay: 100 }, 'this key');
        assert.deepEqual(await replay.once('w', key('r1'), LONG_TTL, windows), [1, 1]);
        const r2 = key('r2');
        const counts = await replay.once('w', r2, LONG_TTL, windows);
        assert.deepEqual(counts, [2, 2]);
        quotas.enforce(windows, counts);
        await assert.rejects(replay.once('w', r2, LONG_TTL, windows), Replayed);
        const third = await replay.once('w', key('r3'), LONG_TTL, windows);
        assert.deepEqual(third, [3, 3], 'the replay above was not counted');
        assert.throws(
          () => quotas.enforce(windows, third),
          (err: unknown) => err instanceof RateLimited && /this key: more than 2 calls per second/.test(err.message),
        );
      });
    });
  });
}
