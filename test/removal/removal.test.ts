import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('./remove-front.sh', import.meta.url));

/**
 * A front is one folder and one line: on a copy of this checkout, the 巨彩 front's folder and its
 * line in src/fronts/index.ts are deleted and nothing else; the copy type-checks, builds and passes
 * the platform's own tests (layers, OpenAPI, the store upgrade and copy, the operator CLI, the
 * client package). `test/removal/remove-front.sh <front> --full` runs the whole remaining suite.
 */
test('removing the 巨彩 front is deleting its folder and its line: the rest type-checks, builds and passes the platform tests', {
  timeout: 600_000,
}, async () => {
  // Without NODE_TEST_CONTEXT the inner test runner reports in TAP, as it does for a person.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const { stdout } = await run('bash', [SCRIPT, 'jucai'], { maxBuffer: 64 * 1024 * 1024, env });
  assert.match(stdout, /== without jucai: type check\n/);
  assert.match(stdout, /== without jucai: build\n/);
  const pass = /^# pass (\d+)$/m.exec(stdout);
  const fail = /^# fail (\d+)$/m.exec(stdout);
  assert.ok(pass && Number(pass[1]) >= 20, `the platform's tests ran: ${pass?.[1]}`);
  assert.equal(
    fail?.[1],
    '0',
    stdout
      .split('\n')
      .filter((l) => l.startsWith('not ok'))
      .join('\n'),
  );
});
