import { Writable } from 'node:stream';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../src/server/config.ts';
import { buildApp } from '../../src/server/app.ts';
import { createKaifang, type Kaifang } from '../../src/server/kaifang.ts';
import { createLogger } from '../../src/server/logger.ts';
import { makeBackend, TEST_ADMIN_TOKEN } from '../helpers/backends.ts';

/**
 * A kaifang server in sandbox mode (like test/helpers/server.ts) whose log lines are captured at
 * `trace` level, so tests can assert that no secret or session key was ever logged.
 */
export interface SandboxServer {
  k: Kaifang;
  app: FastifyInstance;
  url: string;
  logs(): string;
  admin(path: string, method?: string): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

export async function startSandbox(options: { config?: Partial<Config>; env?: Record<string, string> } = {}): Promise<SandboxServer> {
  const backend = await makeBackend('sqlite');
  const config = loadConfig({ ...backend.env, KAIFANG_LOG_LEVEL: 'trace', ...options.env }, { port: 0, ...options.config });
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  const k = await createKaifang(config, { logger: createLogger('trace', sink) });
  const app = await buildApp(k);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  k.setListenUrl(url);
  return {
    k,
    app,
    url,
    logs: () => lines.join(''),
    async admin(path, method = 'GET') {
      const res = await fetch(`${url}/admin/api${path}`, { method, headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
      return { status: res.status, body: await res.json() };
    },
    async close() {
      // After a client aborted a hung POST, Node may keep a later keep-alive connection counted as
      // busy, and Fastify's graceful close would wait for its keep-alive timeout (72 s); tests
      // need not wait for that, so every connection is dropped once the close has begun.
      const closing = app.close();
      app.server.closeAllConnections();
      await closing;
      await k.close();
      await backend.cleanup();
    },
  };
}

/** A plain node:http server for one test: records requests (raw body included) and answers with `handle`. */
export interface CaptureServer {
  url: string;
  requests: { method: string; url: string; headers: IncomingMessage['headers']; body: Buffer }[];
  close(): Promise<void>;
}

export async function captureServer(handle: (req: IncomingMessage, body: Buffer, res: ServerResponse) => void): Promise<CaptureServer> {
  const requests: CaptureServer['requests'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handle(req, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port with nothing listening (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as { port: number };
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Runs `fn`, expecting it to throw a DomainError of `kind`; returns the error. */
export async function rejectsWith<T = any>(fn: () => Promise<unknown>, kind: string): Promise<T> {
  try {
    await fn();
  } catch (err) {
    if ((err as { kind?: string }).kind !== kind) throw new Error(`expected ${kind}, got ${(err as Error).name}: ${(err as Error).message}`);
    return err as T;
  }
  throw new Error(`expected ${kind}, but the call succeeded`);
}
