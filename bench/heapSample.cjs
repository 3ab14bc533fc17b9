/**
 * A preload for a profiled server (`--require ./bench/heapSample.cjs`): V8's sampling heap profiler
 * from start to exit, keeping the objects young and old collections have already freed, so the
 * profile shows what a call allocates, not only what survives. The request thread writes
 * `heap-<pid>-0.json` into BENCH_HEAP_DIR (default: the working directory) when the process exits
 * (a worker the server terminates writes nothing); read it with bench/allocations.ts.
 *
 *   tsx bench/quick.ts kaifang 10 -- --require ./bench/heapSample.cjs     (prints "served")
 */
const inspector = require('node:inspector');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { threadId } = require('node:worker_threads');

const session = new inspector.Session();
session.connect();
session.post('HeapProfiler.enable');
session.post('HeapProfiler.startSampling', {
  samplingInterval: 4096,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
});
// An in-thread session answers synchronously, so the profile is written before the thread ends.
process.on('exit', () => {
  session.post('HeapProfiler.stopSampling', (err, result) => {
    if (err) return;
    writeFileSync(join(process.env.BENCH_HEAP_DIR ?? '.', `heap-${process.pid}-${threadId}.json`), JSON.stringify(result.profile));
  });
});
