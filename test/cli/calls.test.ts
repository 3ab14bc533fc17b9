import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CallLog } from '../../src/core/callLog.ts';
import { openStore } from '../../src/store/database.ts';
import { TEST_MASTER_KEY } from '../helpers/backends.ts';
import { kaifang } from './run.ts';

/** `kaifang calls …` on a store the server wrote, and what an operator command loads (item: the CLI answers fast). */

const TRACER = fileURLToPath(new URL('../helpers/loadedModules.mjs', import.meta.url));

test('kaifang calls list and export read the call log with the filters, touching nothing in the data directory', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kaifang-calls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const data = join(dir, 'data');
  const env = { KAIFANG_DATA_DIR: data, KAIFANG_MASTER_KEY: TEST_MASTER_KEY };
  assert.equal((await kaifang(env, ['migrate'])).code, 0);
  const store = await openStore({ dataDir: data });
  const log = new CallLog(store.db, (err) => assert.fail(String(err)));
  const at = Date.parse('2026-03-01T04:00:00Z');
  log.record({ at, front: 'opretail', endpoint: 'a,b', credential: 'k1', outcome: '0', result: 'ok', latencyMs: 2, requestId: 'r1' });
  log.record({
    at: at + 1000,
    front: 'storepos',
    endpoint: '/Mch/x',
    credential: null,
    outcome: '-1',
    result: 'refused',
    latencyMs: 3,
    requestId: 'r2',
  });
  log.record({
    at: at + 2000,
    front: 'opretail',
    endpoint: 'c',
    credential: 'k2',
    outcome: '=1+1',
    result: 'ok',
    latencyMs: 4,
    requestId: 'r3',
  });
  await log.flush();
  await store.close();
  const before = readdirSync(data).sort();

  const page = await kaifang(env, ['calls', 'list', '--front', 'opretail', '--limit', '1', '--json']);
  assert.equal(page.code, 0, page.stderr);
  assert.deepEqual(page.json(), {
    calls: [
      {
        at: '2026-03-01T04:00:02.000Z',
        front: 'opretail',
        endpoint: 'c',
        credential: 'k2',
        outcome: '=1+1',
        result: 'ok',
        latencyMs: 4,
        requestId: 'r3',
      },
    ],
    total: 2,
    limit: 1,
    offset: 0,
  });
  const listed = await kaifang(env, ['calls', 'list', '--until', '2026-03-01T04:00:02Z']);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /^at +front +endpoint +credential +outcome +result +ms +request id\n/);
  assert.match(listed.stdout, /\n1–2 of 2\n$/);

  const file = join(dir, 'calls.csv');
  const exported = await kaifang(env, ['calls', 'export', '--format', 'csv', '--credential', 'k1', '--output', file]);
  assert.equal(exported.code, 0, exported.stderr);
  assert.equal(exported.stdout, '');
  assert.equal(
    readFileSync(file, 'utf8'),
    'at,front,endpoint,credential,outcome,result,latencyMs,requestId\r\n2026-03-01T04:00:00.000Z,opretail,"a,b",k1,0,ok,2,r1\r\n',
  );
  const lines = await kaifang(env, ['calls', 'export', '--format', 'jsonl']);
  assert.equal(lines.code, 0, lines.stderr);
  assert.deepEqual(
    lines.stdout
      .trimEnd()
      .split('\n')
      .map((l) => (JSON.parse(l) as { requestId: string }).requestId),
    ['r3', 'r2', 'r1'],
  );

  // Bad input is one line naming the option.
  const badTime = await kaifang(env, ['calls', 'list', '--since', 'yesterday']);
  assert.equal(badTime.code, 1);
  assert.match(badTime.stderr, /^kaifang: since must be an ISO 8601 time .* \(--since\)\n$/);
  const badFormat = await kaifang(env, ['calls', 'export', '--format', 'xlsx']);
  assert.equal(badFormat.code, 1);
  assert.match(badFormat.stderr, /--format must be one of csv, jsonl; got "xlsx"/);
  const badResult = await kaifang(env, ['calls', 'list', '--result', 'failed']);
  assert.equal(badResult.code, 1);
  assert.match(badResult.stderr, /--result must be one of ok, refused, upstream_error, error; got "failed"/);
  const refused = await kaifang(env, ['calls', 'list', '--result', 'refused', '--json']);
  assert.deepEqual(
    (refused.json() as { calls: { requestId: string }[] }).calls.map((c) => c.requestId),
    ['r2'],
  );

  assert.deepEqual(readdirSync(data).sort(), before, 'the read commands made no file in the data directory');
});

test('an operator command loads neither the server nor the fronts it does not touch', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kaifang-loads-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const env = { KAIFANG_DATA_DIR: join(dir, 'data'), KAIFANG_MASTER_KEY: TEST_MASTER_KEY };
  assert.equal((await kaifang(env, ['migrate'])).code, 0);

  /** The modules `kaifang …args` loads: kaifang's own by path under src/ or dist/, and the packages by name. */
  const loads = async (...args: string[]) => {
    const out = join(dir, `loaded-${args.join('-')}`);
    const r = await kaifang({ ...env, LOADED_MODULES: out, NODE_OPTIONS: `--import=${TRACER}` }, args);
    assert.equal(r.code, 0, r.stderr);
    const paths = readFileSync(out, 'utf8').split('\n');
    const own = paths.map((p) => /\/(?:src|dist)\/(.+)\.[tj]s$/.exec(p)?.[1]).filter((p) => p !== undefined);
    const packages = new Set(paths.map((p) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(p)?.[1]).filter((p) => p !== undefined));
    assert.ok(own.includes('cli/main'), `the trace saw the CLI load: ${own.slice(0, 5).join(', ')}`);
    return { own, packages };
  };
  /** Of the fronts, only their manifests (names, titles, settings, migrations) and the one named. */
  const otherFrontParts = (own: string[], named?: string) =>
    own.filter((p) => {
      const m = /^fronts\/([^/]+)\/(.+)$/.exec(p);
      return m && m[1] !== 'kit' && m[1] !== named && !/^(manifest|settings|migrations\/.+)$/.test(m[2]!);
    });

  for (const [args, named] of [
    [['opretail', 'keys', 'list'], 'opretail'],
    [['calls', 'list'], undefined],
    [['--help'], undefined],
  ] as const) {
    const { own, packages } = await loads(...args);
    const label = args.join(' ');
    for (const server of ['fastify', 'pino', 'prom-client', 'ajv']) assert.ok(!packages.has(server), `${label} loaded ${server}`);
    assert.deepEqual(
      own.filter((p) => /^(server\/(app|admin|kaifang|metrics|logger)|sandbox\/)/.test(p)),
      [],
      `${label} loaded the server`,
    );
    assert.deepEqual(otherFrontParts(own, named), [], `${label} loaded fronts it does not touch`);
    if (named) assert.ok(own.includes(`fronts/${named}/admin/cli`), `${label} loaded its front's commands`);
  }
});
