import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { compiledIsFresh } from '../../bin/fresh.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSC = join(ROOT, 'node_modules', '.bin', 'tsc');

/** What the server pulls in and a client must not. */
const SERVER_PACKAGES = ['fastify', 'kysely', 'better-sqlite3', '/pg/', 'ioredis', 'pino', 'prom-client', 'commander', 'lru-cache'];
const SERVER_DIRS = ['/dist/server/', '/dist/store/', '/dist/state/', '/dist/core/', '/dist/upstream/', '/dist/sandbox/', '/dist/cli/'];
/** Of a front's folder, a client loads only the client, its signing scheme and its wire types. */
const CLIENT_FILES_OF_A_FRONT = /\/dist\/fronts\/[^/]+\/(client|signing|wire)\.js$/;

/** Every class a front's client.ts exports, read from the sources: the entry must carry them all. */
const CLIENT_EXPORTS = readdirSync(join(ROOT, 'src', 'fronts'))
  .filter((name) => existsSync(join(ROOT, 'src', 'fronts', name, 'client.ts')))
  .flatMap((name) =>
    [...readFileSync(join(ROOT, 'src', 'fronts', name, 'client.ts'), 'utf8').matchAll(/^export class (\w+)/gm)].map((m) => m[1]!),
  )
  .sort();

test('kaifang/client: another project imports the built entry, typed, and loads none of the server', async (t) => {
  // `npm test` builds first; alone, after an edit, build here. Never while it is fresh: other test
  // files run the compiled server and CLI at the same time, and a rebuild rewrites them under them.
  if (!compiledIsFresh(ROOT)) await run(TSC, ['-p', 'tsconfig.build.json'], { cwd: ROOT });
  // A project that installed kaifang: node_modules/kaifang is the package.
  const project = mkdtempSync(join(tmpdir(), 'kaifang-client-'));
  t.after(() => rmSync(project, { recursive: true, force: true }));
  mkdirSync(join(project, 'node_modules'));
  symlinkSync(ROOT, join(project, 'node_modules', 'kaifang'), 'dir');

  // Every module the import loads, as a resolve hook sees it.
  writeFileSync(
    join(project, 'hooks.mjs'),
    `export async function resolve(s, c, next) { const r = await next(s, c); process.stderr.write('LOADED ' + r.url + '\\n'); return r; }\n`,
  );
  const register = `data:text/javascript,import { register } from "node:module"; register(${JSON.stringify(`file://${join(project, 'hooks.mjs')}`)});`;
  const script = "const c = await import('kaifang/client'); console.log(JSON.stringify(Object.keys(c).sort()));";
  const { stdout, stderr } = await run(process.execPath, ['--import', register, '--input-type=module', '-e', script], { cwd: project });
  assert.ok(CLIENT_EXPORTS.length >= 4, CLIENT_EXPORTS.join(' '));
  assert.deepEqual(JSON.parse(stdout), CLIENT_EXPORTS);
  const loaded = stderr
    .split('\n')
    .filter((l) => l.startsWith('LOADED '))
    .map((l) => l.slice(7));
  assert.ok(
    loaded.some((u) => u.endsWith('/dist/client/index.js')),
    `the built entry was loaded: ${loaded.join('\n')}`,
  );
  for (const url of loaded) {
    for (const p of [...SERVER_PACKAGES, ...SERVER_DIRS]) assert.ok(!url.includes(p), `the client loaded ${url}`);
    if (url.includes('/dist/fronts/')) assert.match(url, CLIENT_FILES_OF_A_FRONT, `the client loaded ${url}`);
  }

  // Typed: a correct use compiles, a wrong one is refused by the compiler.
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true, types: [] },
      files: ['use.ts'],
    }),
  );
  const use = (extra: string) =>
    writeFileSync(
      join(project, 'use.ts'),
      [
        "import { OpretailClient, StoreposClient } from 'kaifang/client';",
        "const o = new OpretailClient({ baseUrl: 'http://127.0.0.1:8080', applicationKey: 'S107-x', applicationSecret: 'secret' });",
        "const s = new StoreposClient({ baseUrl: 'http://127.0.0.1:8080', agentId: '13000000000000000', key: 'k', pid: 'yunpos' });",
        'export { o, s };',
        extra,
      ].join('\n'),
    );
  use('');
  await run(TSC, ['-p', '.'], { cwd: project });
  use("export const wrong: number = new OpretailClient({ baseUrl: 'x', applicationKey: 'k', applicationSecret: 's' });");
  await assert.rejects(run(TSC, ['-p', '.'], { cwd: project }), (err: { stdout?: string }) =>
    /not assignable to type 'number'/.test(err.stdout ?? ''),
  );
});
