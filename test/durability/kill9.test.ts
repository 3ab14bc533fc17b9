import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { formatCompact } from '../../src/kernel/cst.ts';
import { opretail } from '../../src/fronts/opretail/signing.ts';
import { backendNames, makeBackend, type Backend } from '../helpers/backends.ts';
import { served } from '../helpers/children.ts';

/*
 * Durability: a write acknowledged to the caller survives `kill -9` of the server right after the
 * reply. A real `kaifang serve` process (the CLI, as operators run it) creates developer keys
 * through the admin API; the moment the last reply is in, the process gets SIGKILL (no shutdown
 * hooks, no flush). A second process on the same data then must have every acknowledged key, and
 * its sealed secret must still open: a signed gateway call with it succeeds.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'src/cli/main.ts');

interface Server {
  child: ChildProcess;
  url: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `kaifang serve --port 0` and waits for the line saying where it listens. */
async function serve(env: Record<string, string>): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  served(child, env.KAIFANG_DATA_DIR);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /^kaifang listening on (http:\/\/\S+)/.exec(line);
      if (m) resolve(m[1]!);
    });
    void exited.then(({ code, signal }) => reject(new Error(`kaifang serve exited (${code ?? signal}) before listening: ${stderr}`)));
  });
  return { child, url, exited };
}

async function createKey(url: string, token: string, i: number) {
  const res = await fetch(`${url}/admin/api/opretail/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ username: `durable-${i}`, enterpriseId: 1000 + i }),
  });
  return {
    status: res.status,
    body: (await res.json()) as { applicationKey: string; secret: string; username: string; enterpriseId: number },
  };
}

for (const name of backendNames()) {
  describe(`kill -9 right after an acknowledged write (${name})`, () => {
    test('every acknowledged developer key is there after a restart, and its secret still signs', async (t) => {
      const backend: Backend = await makeBackend(name);
      t.after(() => backend.cleanup());
      // Let the first start create master.key and admin.token itself, so they are part of what must survive.
      const { KAIFANG_MASTER_KEY: _m, KAIFANG_ADMIN_TOKEN: _a, ...env } = backend.env;

      const first = await serve(env);
      const token = readFileSync(join(env.KAIFANG_DATA_DIR!, 'admin.token'), 'utf8').trim();
      const acknowledged: { applicationKey: string; secret: string; username: string; enterpriseId: number }[] = [];
      try {
        for (let i = 0; i < 5; i++) {
          const { status, body } = await createKey(first.url, token, i);
          assert.equal(status, 201, JSON.stringify(body));
          acknowledged.push(body);
          // The fifth reply is in: kill at once, before anything else can run in the server.
          if (i === 4) first.child.kill('SIGKILL');
        }
      } finally {
        first.child.kill('SIGKILL');
      }
      assert.deepEqual(await first.exited, { code: null, signal: 'SIGKILL' });

      const second = await serve(env);
      t.after(async () => {
        second.child.kill('SIGKILL');
        await second.exited;
      });
      for (const key of acknowledged) {
        const res = await fetch(`${second.url}/admin/api/opretail/keys/${key.applicationKey}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        assert.equal(res.status, 200, `${key.applicationKey} is missing after kill -9`);
        const shown = (await res.json()) as Record<string, unknown>;
        assert.equal(shown.applicationKey, key.applicationKey);
        assert.equal(shown.username, key.username);
        assert.equal(shown.enterpriseId, key.enterpriseId);
      }
      // The last key's secret (sealed under the master key the first process created) still
      // signs a gateway call that the restarted process accepts.
      const last = acknowledged.at(-1)!;
      const params: Record<string, string> = {
        _aid: 'S107',
        _akey: last.applicationKey,
        _mt: 'open.gateway.authentication',
        _sm: 'md5',
        _requestMode: 'post',
        _version: 'v2',
        _timestamp: formatCompact(Date.now()),
        orgid: String(last.enterpriseId),
      };
      params._sig = opretail.sign(params, last.secret, 'md5');
      const call = await fetch(`${second.url}/m.api`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(params).toString(),
      });
      const reply = (await call.json()) as { stat: { code: number }; data: { applicationKey?: string } | null };
      assert.equal(reply.stat.code, 0, JSON.stringify(reply));
      assert.equal(reply.data?.applicationKey, last.applicationKey);
    });
  });
}
