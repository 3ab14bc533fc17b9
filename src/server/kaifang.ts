import type { Logger } from 'pino';
import type { Kysely } from 'kysely';
import { systemClock, type Clock } from '../core/clock.ts';
import { CallLog } from '../core/callLog.ts';
import { Quotas, ReplayGuard } from '../core/quota.ts';
import { SecretBox } from '../core/secrets.ts';
import { DeveloperKeys } from '../core/opretail/developerKeys.ts';
import { GatewayMethods } from '../core/opretail/gatewayMethods.ts';
import { migrateToLatest, openStore, type Store } from '../store/database.ts';
import type { Database } from '../store/schema.ts';
import { SqlStateStore } from '../state/sql.ts';
import { SqliteStateStore } from '../state/sqlite.ts';
import { SqliteBackgroundWriter } from '../store/sqliteWriter.ts';
import type { StateStore } from '../state/state.ts';
import type { Config } from './config.ts';
import { loadBootstrap, type Bootstrap } from './bootstrap.ts';
import { createLogger } from './logger.ts';
import { Metrics } from './metrics.ts';
import { createUpstreams, type Upstreams } from '../upstream/index.ts';
import { createStoreposServices, type StoreposServices } from '../core/storepos/index.ts';

/**
 * Everything a kaifang process holds, assembled once and handed to the HTTP app, the CLI and the
 * tests: configuration, clock, stores, and the core services. Nothing here knows HTTP.
 */
export interface Kaifang {
  readonly config: Config;
  readonly clock: Clock;
  readonly log: Logger;
  readonly store: Store;
  readonly db: Kysely<Database>;
  readonly state: StateStore;
  readonly box: SecretBox;
  readonly bootstrap: Bootstrap;
  readonly metrics: Metrics;
  readonly quotas: Quotas;
  readonly replay: ReplayGuard;
  readonly callLog: CallLog;
  readonly opretail: { readonly keys: DeveloperKeys; readonly methods: GatewayMethods };
  readonly upstreams: Upstreams;
  readonly storepos: StoreposServices;
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
}

export async function createKaifang(config: Config, options: KaifangOptions = {}): Promise<Kaifang> {
  const clock = options.clock ?? systemClock;
  const log = options.logger ?? createLogger(config.logLevel);
  const bootstrap = loadBootstrap(config);
  let listenUrl = `http://127.0.0.1:${config.port}`;
  const selfUrl = () => config.publicUrl ?? listenUrl;
  const metrics = new Metrics();
  // Before the store opens: a live provider missing a setting stops start-up with nothing to undo.
  const upstreams = createUpstreams(config, metrics, selfUrl);
  const store = await openStore(config);
  try {
    if (options.migrate ?? true) await migrateToLatest(store.db, config.databaseUrl ? config.databaseSchema : undefined);
  } catch (err) {
    await store.close();
    throw err;
  }
  const db = store.db;
  const state: StateStore = config.redisUrl
    ? // Loaded only when configured: the embedded default never pays for the client (~25 MB RSS).
      new (await import('../state/redis.ts')).RedisStateStore(config.redisUrl, config.redisPrefix)
    : store.sqlite
      ? new SqliteStateStore(store.sqlite)
      : new SqlStateStore(db);
  const box = new SecretBox(bootstrap.masterKey);
  const cache = { size: config.cacheSize, ttlMs: config.cacheTtlMs };
  // On the embedded store, a writer thread takes the call log and the WAL checkpoints off the
  // request thread.
  const writer = store.sqlitePath ? new SqliteBackgroundWriter(store.sqlitePath) : undefined;
  if (writer) writer.takeOverCheckpoints(store.sqlite!);
  const callLog = new CallLog(db, (err) => log.error({ err }, 'call log write failed'), 200, 500, writer);
  const pruner = setInterval(
    () => void callLog.prune(clock.now() - config.callLogRetentionDays * 86_400_000).catch(() => undefined),
    3600_000,
  );
  pruner.unref();

  let closed = false;
  return {
    config,
    clock,
    log,
    store,
    db,
    state,
    box,
    bootstrap,
    metrics,
    upstreams,
    storepos: createStoreposServices({ db, box, clock, state, config, upstreams }),
    quotas: new Quotas(state, clock),
    replay: new ReplayGuard(state),
    callLog,
    opretail: {
      keys: new DeveloperKeys(db, box, clock, config.opretailAid, cache),
      methods: new GatewayMethods(db, clock, cache),
    },
    selfUrl,
    setListenUrl(url: string) {
      listenUrl = url;
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(pruner);
      await callLog.flush();
      await writer?.close();
      await state.close();
      await store.close();
    },
  };
}
