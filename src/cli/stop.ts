import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Kaifang } from '../server/kaifang.ts';

/** The signals that stop `kaifang serve`. SIGHUP too: settings are read once, so there is nothing to reload. */
export const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/** How long after the in-flight deadline a stop that has still not finished is ended anyway. */
const HARD_DEADLINE_EXTRA_MS = 5000;

/** How long a connection must have been quiet before a stopping server closes it. */
const QUIET_MS = 250;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const LAST_HEARD = Symbol('kaifang.lastHeard');
type Heard = Socket & { [LAST_HEARD]?: number; _httpMessage?: unknown };

/**
 * The connections of one HTTP server, so that a stop closes only the quiet ones. Node's own
 * `closeIdleConnections` (which `server.close()` calls) closes a connection the moment no request
 * is being processed on it — also one that was just accepted, or whose client is sending its next
 * request at that very moment: that client sees a reset. Once a stop begins, each connection
 * remembers when it was last heard from, and `closeQuiet` (which then stands in for
 * `closeIdleConnections`) closes only those with no request in progress that have been quiet
 * for QUIET_MS; any other gets its next request answered 503 with `Connection: close`.
 */
class Connections {
  private readonly sockets = new Set<Heard>();
  private stopping = false;

  constructor(private readonly server: Server) {
    server.on('connection', (socket: Heard) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      if (this.stopping) this.listen(socket);
    });
  }

  /** From now on, hear every connection and close only quiet ones. */
  stop(): void {
    this.stopping = true;
    for (const socket of this.sockets) this.listen(socket);
    this.server.closeIdleConnections = () => this.closeQuiet();
  }

  private listen(socket: Heard): void {
    socket[LAST_HEARD] = Date.now();
    socket.on('data', () => {
      socket[LAST_HEARD] = Date.now();
    });
  }

  closeQuiet(): void {
    const now = Date.now();
    for (const socket of this.sockets) {
      if (socket._httpMessage || now - (socket[LAST_HEARD] ?? 0) < QUIET_MS) continue;
      socket.destroy();
    }
  }
}

/**
 * A graceful stop, on the first of STOP_SIGNALS:
 *
 * 1. At once, /readyz answers 503 and every new request — on a kept-alive connection or a new
 *    one — is answered 503 in its front's shape with `Connection: close` (refusals.ts), for
 *    KAIFANG_DRAIN_MS while the port stays open: a load balancer sees the process leave before
 *    its port closes, and clients hear an answer instead of a reset.
 * 2. Then the ports close (new connections are refused), idle connections are closed, and the
 *    requests in flight get KAIFANG_STOP_TIMEOUT_MS to finish before their connections are cut.
 * 3. The call log is flushed and the stores closed; the process exits 0.
 *
 * A stop that has not finished KAIFANG_DRAIN_MS + KAIFANG_STOP_TIMEOUT_MS + 5 s after the signal
 * (a store that does not answer, say) exits 1, and a second signal exits 1 at once: nothing
 * keeps a stopping process alive. Returns a function that removes the signal handlers.
 */
export function stopOnSignals(
  k: Pick<Kaifang, 'config' | 'lifecycle' | 'log' | 'close'>,
  apps: readonly FastifyInstance[],
  options: { exit?: (code: number) => void; extraMs?: number } = {},
): () => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const extraMs = options.extraMs ?? HARD_DEADLINE_EXTRA_MS;
  const connections = apps.map((app) => new Connections(app.server));
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      k.log.warn({ signal }, 'second signal while stopping: exiting now');
      exit(1);
      return;
    }
    stopping = true;
    void stop(k, apps, connections, signal, exit, extraMs).catch((err: unknown) => {
      k.log.error({ err }, 'the stop failed; exiting');
      exit(1);
    });
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  return () => {
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
  };
}

async function stop(
  k: Pick<Kaifang, 'config' | 'lifecycle' | 'log' | 'close'>,
  apps: readonly FastifyInstance[],
  connections: readonly Connections[],
  signal: NodeJS.Signals,
  exit: (code: number) => void,
  extraMs: number,
): Promise<void> {
  const { drainMs, stopTimeoutMs } = k.config;
  k.lifecycle.draining = true;
  for (const c of connections) c.stop();
  k.log.info({ signal, drainMs, stopTimeoutMs }, 'shutting down');
  const deadline = setTimeout(
    () => {
      k.log.error({ signal }, `the stop did not finish within ${drainMs + stopTimeoutMs + extraMs} ms; exiting`);
      exit(1);
    },
    drainMs + stopTimeoutMs + extraMs,
  );
  await sleep(drainMs);
  const closing = Promise.all(apps.map((app) => app.close()));
  // A connection that turns quiet after the close began is closed then, rather than left to its
  // keep-alive timeout; after the in-flight deadline, every one is.
  const idle = setInterval(() => {
    for (const c of connections) c.closeQuiet();
  }, 50);
  const cut = setTimeout(() => {
    for (const app of apps) app.server.closeAllConnections();
  }, stopTimeoutMs);
  try {
    await closing;
  } finally {
    clearInterval(idle);
    clearTimeout(cut);
  }
  await k.close();
  clearTimeout(deadline);
  k.log.info({ signal }, 'stopped');
  exit(0);
}
