/**
 * The load generator, run as its own process so it does not share a core's event loop with the
 * server under test. Reads a file of pre-built request bodies (one per line), sends each exactly
 * once (so signed requests stay unique and replay protection does real work), prints JSON stats.
 *
 *   tsx bench/load.ts <url> <bodies-file> <connections>
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

const [url, file, connections = '50'] = process.argv.slice(2);
if (!url || !file) throw new Error('usage: load.ts <url> <bodies-file> <connections>');
const bodies = readFileSync(file, 'utf8').split('\n').filter(Boolean);
let next = 0;

// autocannon ends a run on its one-second ticker, so its own duration (and any wall-clock time
// around it) is rounded up to whole seconds: time from start to the last response instead.
const started = process.hrtime.bigint();
const cpuStart = process.cpuUsage();
let lastResponse = started;
const result = await new Promise<autocannon.Result>((resolve, reject) => {
  const instance = autocannon(
    {
      url,
      connections: Number(connections),
      amount: bodies.length,
      requests: [
        {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          setupRequest: (req) => ({ ...req, body: bodies[next++ % bodies.length] }),
        },
      ],
    },
    (err, done) => (err ? reject(err) : resolve(done)),
  );
  instance.on('response', () => {
    lastResponse = process.hrtime.bigint();
  });
});

const seconds = Number(lastResponse - started) / 1e9;
process.stdout.write(
  JSON.stringify({
    requests: result.requests.total,
    seconds,
    loadCpuUsPerRequest: ((u) => (u.user + u.system) / result.requests.total)(process.cpuUsage(cpuStart)),
    rps: result.requests.total / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  }) + '\n',
);
