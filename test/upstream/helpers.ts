import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Config } from '../../src/server/config.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

/**
 * A kaifang server in sandbox mode whose log lines are captured at `trace` level, so tests can
 * assert that no secret or session key was ever logged.
 */
export type SandboxServer = TestServer;

/**
 * The upstream timeout for tests that reach the sandbox's "time out" mobiles and codes (they hang
 * past it, so each such case waits this long): long enough for a loaded CI machine's first call on
 * a cold server.
 */
export const UPSTREAM_TIMEOUT_MS = 1500;

export function startSandbox(options: { config?: Partial<Config>; env?: Record<string, string> } = {}): Promise<SandboxServer> {
  return startServer({ ...options, captureLogs: true });
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
    if ((err as { kind?: string }).kind !== kind)
      throw new Error(`expected ${kind}, got ${(err as Error).name}: ${(err as Error).message}`);
    return err as T;
  }
  throw new Error(`expected ${kind}, but the call succeeded`);
}
