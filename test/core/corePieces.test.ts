import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { BearerTokens } from '../../src/core/bearerTokens.ts';
import { ManualClock } from '../../src/kernel/clock.ts';
import { Conflict, type DomainError, UpstreamRejected, UpstreamUnavailable } from '../../src/kernel/errors.ts';
import { Idempotency } from '../../src/core/idempotency.ts';
import { sha256Hex } from '../../src/kernel/secrets.ts';
import { UpstreamTokens } from '../../src/core/upstreamTokens.ts';
import { loadConfig } from '../../src/server/config.ts';
import { createKaifang, type Kaifang } from '../../src/server/kaifang.ts';
import { backendNames, makeBackend, type Backend } from '../helpers/backends.ts';
import { runTogether } from '../helpers/children.ts';

/**
 * The core pieces the fronts share — idempotency with stored outcomes, shared upstream tokens,
 * hashed bearer tokens — on every backend, in one process and across processes.
 */

const CHILD = fileURLToPath(new URL('./fixtures/core-child.ts', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A child's environment: exactly the backend's (a SQLite run must not inherit CI's DATABASE_URL). */
const childEnv = (backend: Backend) => ({ DATABASE_URL: '', REDIS_URL: '', ...backend.env });

async function open(name: Backend['name'], clock?: ManualClock): Promise<{ k: Kaifang; backend: Backend; close(): Promise<void> }> {
  const backend = await makeBackend(name);
  const k = await createKaifang(loadConfig(backend.env), clock ? { clock } : {});
  return {
    k,
    backend,
    close: async () => {
      await k.close();
      await backend.cleanup();
    },
  };
}

for (const name of backendNames()) {
  test(`idempotency: the first outcome is stored and answered to repeats, once (${name})`, async (t) => {
    const clock = new ManualClock(Date.UTC(2026, 11, 1));
    const { k, close } = await open(name, clock);
    t.after(close);
    const idem = k.core.idempotency;
    let ran = 0;
    const work = async () => {
      ran++;
      await sleep(50);
      return { n: ran, at: clock.now() };
    };

    // 20 at once in one process: one runs, the rest wait for its outcome.
    const all = await Promise.all(Array.from({ length: 20 }, () => idem.run('order:1', 60_000, work)));
    assert.equal(ran, 1);
    assert.equal(all.filter((r) => !r.repeated).length, 1);
    for (const r of all) assert.deepEqual(r.value, { n: 1, at: clock.now() });

    // Later, still within the TTL: the stored outcome; after it: a new run.
    clock.advance(59_000);
    assert.deepEqual(await idem.run('order:1', 60_000, work), { value: { n: 1, at: Date.UTC(2026, 11, 1) }, repeated: true });
    clock.advance(2_000);
    assert.deepEqual(await idem.run('order:1', 60_000, work), { value: { n: 2, at: clock.now() }, repeated: false });
    assert.equal(ran, 2);

    // The same key asking for something else is a conflict, and runs nothing.
    await idem.run('order:2', 60_000, work, { fingerprint: 'code-A' });
    await assert.rejects(idem.run('order:2', 60_000, work, { fingerprint: 'code-B' }), Conflict);
    assert.equal((await idem.run('order:2', 60_000, work, { fingerprint: 'code-A' })).repeated, true);
    assert.equal(ran, 3);

    // A domain failure (the upstream may have acted) is the outcome: repeats get the same error.
    let failures = 0;
    const refuse = async () => {
      failures++;
      throw new UpstreamRejected('wechatpay', 'AUTHCODEEXPIRE', '二维码已过期', 'expired-code');
    };
    for (let i = 0; i < 3; i++) {
      await assert.rejects(idem.run('order:3', 60_000, refuse), (err: unknown) => {
        assert.ok(err instanceof UpstreamRejected);
        assert.equal(err.code, 'AUTHCODEEXPIRE');
        assert.equal(err.reason, 'expired-code');
        return true;
      });
    }
    assert.equal(failures, 1);

    // A failure the caller says is not an outcome, or a bug, frees the key: the next call runs again.
    let flaky = 0;
    const notYet = async () => {
      flaky++;
      throw new UpstreamUnavailable('x', 'refused', undefined, 'unreachable');
    };
    const keepFailure = (err: DomainError) => !(err instanceof UpstreamUnavailable && err.reason === 'unreachable');
    await assert.rejects(idem.run('order:4', 60_000, notYet, { keepFailure }), UpstreamUnavailable);
    await assert.rejects(idem.run('order:4', 60_000, notYet, { keepFailure }), UpstreamUnavailable);
    assert.equal(flaky, 2);
    await assert.rejects(
      idem.run('order:5', 60_000, async () => {
        throw new TypeError('bug');
      }),
      TypeError,
    );
    assert.deepEqual(await idem.run('order:5', 60_000, async () => 'fixed'), { value: 'fixed', repeated: false });
  });

  test(`idempotency: a repeat waits for a running first call, gives up after its wait, and takes over a dead one's lease (${name})`, async (t) => {
    const clock = new ManualClock(Date.UTC(2026, 11, 1));
    const { k, close } = await open(name, clock);
    t.after(close);
    const idem = new Idempotency(k.core.db, clock, { leaseMs: 10_000, pollMs: 10 });
    let release!: () => void;
    const first = idem.run('slow', 60_000, () => new Promise<string>((r) => (release = () => r('first'))));
    await sleep(50);
    await assert.rejects(
      idem.run('slow', 60_000, async () => 'second', { waitMs: 100 }),
      (err: unknown) => err instanceof UpstreamUnavailable && err.reason === 'in-progress',
    );
    const waiting = idem.run('slow', 60_000, async () => 'second');
    release();
    assert.deepEqual(await first, { value: 'first', repeated: false });
    assert.deepEqual(await waiting, { value: 'first', repeated: true });

    // A record left running by a process that died: after its lease, the next caller runs.
    await k.core.db
      .insertInto('idempotency_records')
      .values({
        key: 'orphan',
        fingerprint: '',
        state: 'running',
        outcome: null,
        lease_until: clock.now() + 10_000,
        expires_at: clock.now() + 60_000,
        created_at: clock.now(),
      })
      .execute();
    await assert.rejects(
      idem.run('orphan', 60_000, async () => 'mine', { waitMs: 50 }),
      UpstreamUnavailable,
    );
    clock.advance(10_001);
    assert.deepEqual(await idem.run('orphan', 60_000, async () => 'mine'), { value: 'mine', repeated: false });
  });

  test(`idempotency: a done record's repeats are answered from memory, until it expires; a run that outlived its lease does not overwrite the taker's outcome (${name})`, async (t) => {
    const clock = new ManualClock(Date.UTC(2026, 11, 1));
    const { k, close } = await open(name, clock);
    t.after(close);
    const reads: string[] = [];
    const counted = k.core.db.withPlugin({
      transformQuery: (args) => {
        if (args.node.kind === 'SelectQueryNode') reads.push(args.queryId.queryId);
        return args.node;
      },
      transformResult: async (args) => args.result,
    });
    const mine = new Idempotency(counted, clock, { doneKept: 2 });
    const other = new Idempotency(counted, clock);
    await mine.run('kept', 60_000, async () => 'A', { fingerprint: 'f' });
    const afterFirst = reads.length;
    for (let i = 0; i < 5; i++)
      assert.deepEqual(await mine.run('kept', 60_000, async () => 'B', { fingerprint: 'f' }), { value: 'A', repeated: true });
    await assert.rejects(
      mine.run('kept', 60_000, async () => 'B', { fingerprint: 'g' }),
      Conflict,
    );
    assert.equal(reads.length, afterFirst, 'no query for a kept record');
    // Another instance (process) reads the record once, then keeps it too.
    assert.deepEqual(await other.run('kept', 60_000, async () => 'B', { fingerprint: 'f' }), { value: 'A', repeated: true });
    assert.deepEqual(await other.run('kept', 60_000, async () => 'B', { fingerprint: 'f' }), { value: 'A', repeated: true });
    assert.equal(reads.length, afterFirst + 1);
    // Bounded: past doneKept the oldest goes and is read again (same answer).
    await mine.run('k2', 60_000, async () => 2);
    await mine.run('k3', 60_000, async () => 3);
    const before = reads.length;
    assert.deepEqual(await mine.run('kept', 60_000, async () => 'B', { fingerprint: 'f' }), { value: 'A', repeated: true });
    assert.equal(reads.length, before + 1);
    // Expired: kept or not, it runs again.
    clock.advance(60_001);
    assert.deepEqual(await mine.run('kept', 60_000, async () => 'C', { fingerprint: 'f' }), { value: 'C', repeated: false });

    // A run that outlives its lease is taken over; when it finally ends, the taker's outcome stays.
    const slow = new Idempotency(k.core.db, clock, { leaseMs: 10_000, pollMs: 10 });
    let finish!: (v: string) => void;
    const late = slow.run('lease', 60_000, () => new Promise<string>((r) => (finish = r)));
    await sleep(50);
    clock.advance(10_001);
    assert.deepEqual(await slow.run('lease', 60_000, async () => 'taker'), { value: 'taker', repeated: false });
    finish('late');
    assert.deepEqual(await late, { value: 'late', repeated: false });
    const fresh = new Idempotency(k.core.db, clock);
    assert.deepEqual(await fresh.run('lease', 60_000, async () => 'never'), { value: 'taker', repeated: true });
    assert.deepEqual(await slow.run('lease', 60_000, async () => 'never'), { value: 'taker', repeated: true });
  });

  test(`idempotency: the outcome is in the database (another process reads it) (${name})`, async (t) => {
    const { k, backend, close } = await open(name);
    t.after(close);
    await k.core.idempotency.run('durable', 60_000, async () => ({ orderNo: 'A1' }));
    await k.close();
    const again = await createKaifang(loadConfig(backend.env));
    try {
      assert.deepEqual(await again.core.idempotency.run('durable', 60_000, async () => ({ orderNo: 'B2' })), {
        value: { orderNo: 'A1' },
        repeated: true,
      });
    } finally {
      await again.close();
    }
  });

  test(`idempotency across processes: 2 processes × 25 concurrent calls of one key run it once (${name})`, async (t) => {
    const { backend, close } = await open(name);
    t.after(close);
    const results = await runTogether<{ ran: number; answers: string[] }>(CHILD, 2, {
      env: childEnv(backend),
      args: () => ['idempotent', 'cross:1', '25'],
    });
    assert.equal(
      results.reduce((n, r) => n + r.ran, 0),
      1,
      JSON.stringify(results),
    );
    const answers = new Set(results.flatMap((r) => r.answers));
    assert.equal(answers.size, 1, 'every caller in both processes got the one outcome');
  });

  test(`shared upstream token: fetched once for many callers, refreshed before expiry and once when invalid (${name})`, async (t) => {
    const clock = new ManualClock(Date.UTC(2026, 11, 1));
    const { k, close } = await open(name, clock);
    t.after(close);
    const tokens = new UpstreamTokens(k.core.state, clock, { refreshMarginMs: 300_000, pollMs: 5 });
    let fetches = 0;
    const fetchToken = async () => {
      fetches++;
      await sleep(30);
      return { token: `T${fetches}`, expiresInS: 7200 };
    };
    const got = await Promise.all(Array.from({ length: 100 }, () => tokens.get('oa:wx1', fetchToken)));
    assert.equal(fetches, 1);
    assert.deepEqual(new Set(got), new Set(['T1']));

    clock.advance(7200_000 - 300_001); // not yet inside the refresh margin
    assert.equal(await tokens.get('oa:wx1', fetchToken), 'T1');
    clock.advance(2);
    assert.equal(await tokens.get('oa:wx1', fetchToken), 'T2');
    assert.equal(fetches, 2);

    // Ten calls report T2 invalid at once: one refresh, all retry with T3; a late report of T2 changes nothing.
    const retried = await Promise.all(Array.from({ length: 10 }, () => tokens.replaceInvalid('oa:wx1', 'T2', fetchToken)));
    assert.deepEqual(new Set(retried), new Set(['T3']));
    assert.equal(await tokens.replaceInvalid('oa:wx1', 'T2', fetchToken), 'T3');
    assert.equal(fetches, 3);
  });

  test(`shared upstream token across processes: 2 processes × 100 concurrent users cause one fetch (${name})`, async (t) => {
    const { backend, close } = await open(name);
    t.after(close);
    const results = await runTogether<{ fetches: number; tokens: string[] }>(CHILD, 2, {
      env: childEnv(backend),
      args: () => ['token', 'oa:cross', '100'],
    });
    assert.equal(
      results.reduce((n, r) => n + r.fetches, 0),
      1,
      JSON.stringify(results),
    );
    assert.equal(new Set(results.flatMap((r) => r.tokens)).size, 1);
  });

  test(`bearer tokens: stored as hashes, verified, overlapped, revoked, taken once (${name})`, async (t) => {
    const clock = new ManualClock(Date.UTC(2026, 11, 1));
    const { k, backend, close } = await open(name, clock);
    t.after(close);
    const access = new BearerTokens(k.core.db, clock, 'test:access');
    const other = new BearerTokens(k.core.db, clock, 'test:other');

    const first = await access.issue('app-1', 7200_000, { data: 'x' });
    assert.match(first.token, /^[A-Za-z0-9_-]{43}$/);
    const stored = await k.core.db.selectFrom('bearer_tokens').selectAll().execute();
    assert.equal(stored.length, 1);
    assert.equal(stored[0]!.hash, sha256Hex(first.token), 'only the SHA-256 is stored');
    assert.ok(!JSON.stringify(stored).includes(first.token));
    assert.deepEqual(await access.verify(first.token), { subject: 'app-1', data: 'x', expiresAt: clock.now() + 7200_000 });
    assert.equal(await other.verify(first.token), undefined, 'kinds never answer for each other');
    // Near misses never verify.
    assert.equal(await access.verify(first.token.slice(0, -1)), undefined);
    assert.equal(await access.verify(first.token + 'A'), undefined);
    assert.equal(
      await access.verify(first.token.toUpperCase() === first.token ? first.token.toLowerCase() : first.token.toUpperCase()),
      undefined,
    );

    // A new token for the subject: the previous one works 5 more minutes, then stops.
    clock.advance(1000);
    const second = await access.issue('app-1', 7200_000, { overlapMs: 300_000 });
    assert.ok(await access.verify(first.token));
    clock.advance(300_000);
    assert.equal(await access.verify(first.token), undefined);
    assert.ok(await access.verify(second.token));
    clock.advance(7200_000);
    assert.equal(await access.verify(second.token), undefined, 'expired');

    const third = await access.issue('app-1', 7200_000);
    await access.revoke(third.token);
    assert.equal(await access.verify(third.token), undefined);

    // A one-time code: 100 concurrent takes, one wins; a take for another subject leaves it alone.
    const code = await other.issue('app-2', 300_000, { data: 'openid-1' });
    assert.equal(await other.take(code.token, 'app-3'), undefined);
    const takes = await Promise.all(Array.from({ length: 100 }, () => other.take(code.token, 'app-2')));
    assert.equal(takes.filter(Boolean).length, 1);
    assert.equal(takes.find(Boolean)!.data, 'openid-1');

    // Across processes: each of 20 codes is taken by exactly one of two processes.
    const codes = await Promise.all(Array.from({ length: 20 }, () => other.issue('app-2', 300_000)));
    clock.set(Date.now()); // the children run on the system clock
    const fresh = await Promise.all(Array.from({ length: 20 }, () => other.issue('app-2', 300_000)));
    const results = await runTogether<string[]>(CHILD, 2, {
      env: childEnv(backend),
      args: () => ['take', 'test:other', ...fresh.map((c) => c.token)],
    });
    assert.deepEqual(results.flat().sort(), fresh.map((c) => c.token).sort());
    assert.equal(codes.length, 20);
  });
}
