import type { Logger } from 'pino';
import { pruneExpiredTokens } from '../core/bearerTokens.ts';
import { AdminTokens } from '../core/adminTokens.ts';
import { AuditLog } from '../core/auditLog.ts';
import { CallLog } from '../core/callLog.ts';
import { systemClock, type Clock } from '../kernel/clock.ts';
import { recordedKeyId } from '../core/masterKeyCheck.ts';
import type { Core } from '../core/platform.ts';
import { fronts, type InstalledFront } from '../fronts/all.ts';
import type { BoundFront, CallOutcome, FrontContext } from '../fronts/kit/front.ts';
import { SandboxOutbox } from '../sandbox/outbox.ts';
import { SandboxTemplateInbox } from '../sandbox/templateInbox.ts';
import { sqliteFile, type Store } from '../store/database.ts';
import { ensureDirectory } from '../kernel/files.ts';
import { SqliteBackgroundWriter } from '../store/sqliteWriter.ts';
import { SharedThread } from '../kernel/worker.ts';
import { holdServeLock } from '../store/serveLock.ts';
import { createUpstreams } from '../upstream/index.ts';
import type { Bootstrap } from './bootstrap.ts';
import type { Config } from './config.ts';
import { createLogger } from './logger.ts';
import { Metrics } from './metrics.ts';
import { assembleCore, openCheckedStore, openState } from './openCore.ts';
import { NEWEST_MIGRATION } from './storeLayout.ts';
import { KAIFANG_VERSION } from '../kernel/version.ts';

/** Each front's services, by the front's name: built once per process from the list in fronts/index.ts. */
export type FrontServices = { readonly [F in InstalledFront as F['name']]: ReturnType<F['services']> };

/**
 * Everything a kaifang process holds, assembled once and handed to the HTTP app, the CLI and the
 * tests: configuration, the shared core, each front's services (built by looping over the fronts),
 * and what only the server itself needs (the admin token, metrics, the call log). Nothing here
 * knows HTTP.
 */
export interface Kaifang {
  readonly config: Config;
  readonly core: Core;
  readonly fronts: FrontServices;
  /** Every front bound to this process's core: the app, the admin API and the demo register these. */
  readonly bound: readonly BoundFront[];
  /** What the fronts' routes are handed besides their services. */
  readonly frontContext: FrontContext;
  readonly log: Logger;
  readonly store: Store;
  readonly bootstrap: Bootstrap;
  readonly metrics: Metrics;
  readonly callLog: CallLog;
  /** The admin API's tokens: the root (bootstrap or rotated) and the scoped ones. */
  readonly adminTokens: AdminTokens;
  /** Every admin write, from the API and the CLI. */
  readonly audit: AuditLog;
  readonly outbox: SandboxOutbox;
  readonly templateInbox: SandboxTemplateInbox;
  /** Set when a stop begins: /readyz answers 503 and new requests are refused (see cli/serve.ts). */
  readonly lifecycle: { draining: boolean };
  /**
   * The base URL at which this process is reachable (KAIFANG_PUBLIC_URL, else the address it
   * listens on); sandbox-mode adapters call their simulators there.
   */
  selfUrl(): string;
  /** Called once the HTTP server listens. */
  setListenUrl(url: string): void;
  close(): Promise<void>;
}

export interface KaifangOptions {
  clock?: Clock;
  logger?: Logger;
  /** Run migrations on open (the server does; `kaifang migrate` does it explicitly). */
  migrate?: boolean;
  /**
   * An operator command: migrate nothing, create no file (no master key, admin token or lock
   * file), write no probe; a store whose schema is behind this build is refused, naming `kaifang migrate`.
   */
  readOnly?: boolean;
}

export async function createKaifang(config: Config, options: KaifangOptions = {}): Promise<Kaifang> {
  const clock = options.clock ?? systemClock;
  const log = options.logger ?? createLogger(config.logLevel);
  let listenUrl = `http://127.0.0.1:${config.port}`;
  const selfUrl = () => config.publicUrl ?? listenUrl;
  const metrics = new Metrics();
  metrics.describeBuild(KAIFANG_VERSION, NEWEST_MIGRATION);
  // Before the store opens: a live provider missing a setting stops start-up with nothing to undo.
  const upstreams = createUpstreams(config, metrics, selfUrl);
  // A server (not an operator command) marks the embedded store as served, before it opens it:
  // `kaifang store restore` refuses it then, and a restore under way holds it back.
  let serveLock: { release(): void } | undefined;
  if (!config.databaseUrl && !options.readOnly) {
    ensureDirectory(config.dataDir, 0o700);
    serveLock = holdServeLock(sqliteFile(config.dataDir));
  }
  let opened: Awaited<ReturnType<typeof openCheckedStore>>;
  try {
    opened = await openCheckedStore(config, clock, options.migrate ?? true, options.readOnly ?? false);
  } catch (err) {
    serveLock?.release();
    throw err;
  }
  const { store, bootstrap, box } = opened;
  const db = store.db;
  // On the embedded store, one thread takes the one-time ids, the call log and the WAL checkpoints
  // off the request thread: one for all of them, as each thread costs ~10 MB resident.
  const sqliteThread = store.sqlitePath ? new SharedThread('SQLite thread') : undefined;
  const state = await openState(config, store, log, sqliteThread);
  const replayIndex = state.replayIndex?.bind(state);
  if (replayIndex) metrics.watchReplayIndex(replayIndex);
  const writer = store.sqlitePath ? new SqliteBackgroundWriter(store.sqlitePath, 250, sqliteThread) : undefined;
  if (writer) writer.takeOverCheckpoints(store.sqlite!);
  // Rows wait in memory for at most 200 ms. To the SQLite thread they go 64 at a time, a few
  // milliseconds' worth under load: rows kept longer outlive two young-generation collections and
  // are copied into the old generation, whose collections then come every few seconds
  // (bench/RESULTS.md). A statement to PostgreSQL costs a round trip, so there a batch is 500.
  const callLog = new CallLog(db, (err) => log.error({ err }, 'call log write failed'), 200, writer ? 64 : 500, writer);
  const core = assembleCore({ config, store, box, clock, state, upstreams, selfUrl });
  const idempotency = core.idempotency;
  const bound: readonly BoundFront[] = fronts.map((front) => front.bind(core, config));
  // The one place the services' types are given back by name (for tests and scripts): TypeScript
  // cannot type a record built from a list by its elements' names.
  const frontServices = Object.fromEntries(bound.map((b) => [b.name, b.services])) as FrontServices;
  const pruner = setInterval(() => {
    const now = clock.now();
    void callLog.prune(now - config.callLogRetentionDays * 86_400_000).catch(() => undefined);
    void idempotency.prune().catch(() => undefined);
    void pruneExpiredTokens(db, now).catch(() => undefined);
  }, 3600_000);
  pruner.unref();
  // A master-key rotation made by `kaifang keys rotate-master` (another process) reaches this one
  // within the cache bound: the store records which key seals, and this process takes it up.
  const keyWatch = setInterval(
    () =>
      void recordedKeyId(db)
        .then((id) => {
          if (id && id !== box.fingerprint) box.refresh(id);
        })
        .catch(() => undefined),
    Math.max(1000, config.cacheTtlMs),
  );
  keyWatch.unref();

  const frontContext: FrontContext = {
    clock,
    bodyLimit: config.bodyLimit,
    sandbox: config.upstreamMode === 'sandbox',
    observe(call: CallOutcome) {
      const seconds = Number(process.hrtime.bigint() - call.startedAt) / 1e9;
      metrics.calls.record(call.front, call.endpoint, call.outcome, call.result, seconds);
      callLog.record({
        at: clock.now(),
        front: call.front,
        endpoint: call.endpoint,
        credential: call.credential,
        outcome: call.outcome,
        result: call.result,
        latencyMs: seconds * 1000,
        requestId: call.requestId,
      });
    },
  };

  let closed = false;
  return {
    config,
    core,
    fronts: frontServices,
    bound,
    frontContext,
    log,
    store,
    bootstrap,
    metrics,
    callLog,
    adminTokens: new AdminTokens(
      db,
      clock,
      bootstrap.adminToken,
      bound.map((b) => b.name),
      config.adminTokenCacheMs,
    ),
    audit: new AuditLog(db, clock),
    outbox: new SandboxOutbox(db, clock),
    templateInbox: new SandboxTemplateInbox(db, clock),
    lifecycle: { draining: false },
    selfUrl,
    setListenUrl(url: string) {
      listenUrl = url;
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(pruner);
      clearInterval(keyWatch);
      metrics.close();
      await callLog.flush();
      await writer?.close();
      await state.close();
      await store.close();
      serveLock?.release();
    },
  };
}
