import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../src/kernel/clock.ts';
import { loadConfig, type Config } from '../../src/server/config.ts';
import { buildApp } from '../../src/server/app.ts';
import { createKaifang, type Kaifang } from '../../src/server/kaifang.ts';
import { createLogger } from '../../src/server/logger.ts';
import { makeBackend, TEST_ADMIN_TOKEN, type Backend } from './backends.ts';

export interface TestServer {
  /** Every log line so far, when started with `captureLogs` (at trace level); else ''. */
  logs(): string;
  k: Kaifang;
  app: FastifyInstance;
  /** `http://127.0.0.1:<port>` of the listening server. */
  url: string;
  backend: Backend;
  adminToken: string;
  /** fetch against the admin API with the admin token. */
  admin(path: string, init?: { method?: string; body?: unknown }): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/** Starts a real kaifang server on a free loopback port, on the given backend. */
export async function startServer(
  options: { backend?: Backend['name']; clock?: Clock; config?: Partial<Config>; env?: Record<string, string>; captureLogs?: boolean } = {},
): Promise<TestServer> {
  const backend = await makeBackend(options.backend ?? 'sqlite');
  // In this process one-time ids are recorded on the request thread: from the TypeScript sources a
  // thread starts through tsx, ~0.3 s of CPU for each of the suite's ~200 servers. The thread is
  // tested by the state suite (sqlite-thread), sqliteOnce.test.ts, and every test that spawns
  // kaifang (the built code, with the default).
  const config = loadConfig({ ...backend.env, ...options.env }, { port: 0, stateThread: false, ...options.config });
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  const k = await createKaifang(config, {
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.captureLogs ? { logger: createLogger('trace', sink) } : {}),
  });
  const app = await buildApp(k);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  const url = `http://127.0.0.1:${port}`;
  k.setListenUrl(url);
  return {
    k,
    app,
    url,
    backend,
    adminToken: TEST_ADMIN_TOKEN,
    logs: () => lines.join(''),
    async admin(path, init = {}) {
      const res = await fetch(url + '/admin/api' + path, {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers: {
          authorization: `Bearer ${TEST_ADMIN_TOKEN}`,
          ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        /* not JSON: leave the text */
      }
      return { status: res.status, body };
    },
    async close() {
      // A test is over: drop connections a client left open (e.g. one a sandbox simulator held
      // past the adapter's timeout) instead of waiting out the keep-alive timeout.
      const closing = app.close();
      app.server.closeAllConnections();
      await closing;
      await k.close();
      await backend.cleanup();
    },
  };
}
