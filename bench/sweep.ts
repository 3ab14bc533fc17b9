/**
 * The stall of the replay log's sweep, measured: N one-time ids recorded in the embedded store (as
 * N signed calls would), the clock moved past their expiry, then (1) one sweep all at once, on the
 * event loop, as the periodic sweep ran before issue 9, and (2) the periodic sweep as it runs now,
 * in slices with the event loop free between them, on a second store. Prints the longest event-loop
 * delay of each and the memory of the in-memory index.
 *
 *   tsx bench/sweep.ts [ids=300000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { SqliteStateStore } from '../src/state/sqlite.ts';
import { migrateToLatest, openStore } from '../src/store/database.ts';
import { platformMigrations } from '../src/store/migrations/index.ts';

const N = Number(process.argv[2] ?? 300_000);
let now = Date.now();
const clock = { now: () => now };

async function filled(sweepEveryMs: number) {
  const dir = mkdtempSync(join(tmpdir(), 'kaifang-sweep-'));
  const store = await openStore({ dataDir: dir });
  await migrateToLatest(store.db, platformMigrations);
  const state = new SqliteStateStore(store.sqlite!, clock, sweepEveryMs);
  const heap0 = process.memoryUsage();
  for (let i = 0; i < N; i += 50) {
    const batch: Promise<unknown>[] = [];
    for (let j = i; j < Math.min(N, i + 50); j++)
      batch.push(state.recordOnce(`replay:opretail:1:${j.toString(36).padStart(24, '_')}`, 600_000, [{ key: 'rl:s:bench', ttlMs: 2000 }]));
    await Promise.all(batch);
  }
  const heap1 = process.memoryUsage();
  const perId = (heap1.heapUsed + heap1.arrayBuffers - heap0.heapUsed - heap0.arrayBuffers) / N;
  return { dir, store, state, perId };
}

const delay = () => {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  return () => {
    h.disable();
    return h.max / 1e6;
  };
};

// (1) All at once.
const a = await filled(0);
now += 601_000;
let stop = delay();
await new Promise((r) => setTimeout(r, 20)); // the monitor records from its second tick on
const t0 = performance.now();
const deleted = a.state.sweep();
const once = performance.now() - t0;
await new Promise((r) => setTimeout(r, 20));
const onceDelay = stop();
const left = a.store.sqlite!.prepare<[], { n: number }>('select count(*) as n from once_log').get()!.n;
await a.state.close();
await a.store.close();
rmSync(a.dir, { recursive: true, force: true });

// (2) The periodic sweep, in slices.
now = Date.now();
const b = await filled(100);
now += 601_000;
stop = delay();
const t1 = performance.now();
const count = b.store.sqlite!.prepare<[], { n: number }>('select count(*) as n from once_log');
while (count.get()!.n > 1) await new Promise((r) => setTimeout(r, 5));
const sliced = performance.now() - t1;
const slicedDelay = stop();
await b.state.close();
await b.store.close();
rmSync(b.dir, { recursive: true, force: true });

process.stdout.write(
  `${N} expired ids (${deleted} rows deleted, ${left} left: the newest stays)\n` +
    `  one sweep at once:  ${once.toFixed(0)} ms, event loop blocked up to ${onceDelay.toFixed(1)} ms\n` +
    `  periodic, sliced:   done within ${sliced.toFixed(0)} ms of the first slice, longest event-loop delay ${slicedDelay.toFixed(1)} ms\n` +
    `  in-memory index: ${a.perId.toFixed(0)} bytes of heap + buffers per live id\n`,
);
