import type { Logger } from 'pino';
import { opens, recordedKeyId, recordMasterKey, sealedSample } from '../core/masterKeyCheck.ts';
import { Idempotency } from '../core/idempotency.ts';
import type { Core } from '../core/platform.ts';
import { Quotas, ReplayGuard } from '../core/quota.ts';
import { UpstreamTokens } from '../core/upstreamTokens.ts';
import { createWechatApps } from '../core/wechat/index.ts';
import { systemClock, type Clock } from '../kernel/clock.ts';
import { SecretBox } from '../kernel/secrets.ts';
import type { SharedThread } from '../kernel/worker.ts';
import { ConfigError, redactUrl } from '../kernel/settings.ts';
import { SqlStateStore } from '../state/sql.ts';
import { SqliteStateStore } from '../state/sqlite.ts';
import type { StateStore } from '../state/state.ts';
import { migrateToLatest, openStore, pendingMigrations, probeWrite, type Store } from '../store/database.ts';
import type { Upstreams } from '../upstream/index.ts';
import { loadBootstrap, masterKeyRing, type Bootstrap } from './bootstrap.ts';
import type { Config } from './config.ts';
import { migrations } from './storeLayout.ts';

/**
 * Opening the store and assembling the core from it: shared by the server (kaifang.ts) and the
 * operator commands (operatorCore.ts), which need no HTTP, metrics or sandbox.
 */

/** The store as an operator names it: the SQLite file, or the PostgreSQL URL without its password. */
function storeName(config: Config, store: Store): string {
  return store.sqlitePath ?? redactUrl(config.databaseUrl ?? '');
}

/**
 * Opens the store and checks, before anything is served, that it can be used: migrated, writable,
 * and sealed with this master key (a missing or foreign key would make every signed call fail).
 */
export async function openCheckedStore(
  config: Config,
  clock: Clock,
  migrate: boolean,
  readOnly: boolean,
): Promise<{ store: Store; bootstrap: Bootstrap; box: SecretBox }> {
  const store = await openStore(config);
  try {
    const schema = config.databaseUrl ? config.databaseSchema : undefined;
    const name = storeName(config, store);
    if (readOnly) {
      const pending = await pendingMigrations(store.db, migrations, schema);
      if (pending.length > 0)
        throw new Error(
          `the store ${name} is older than this build (${pending.length} migration${pending.length === 1 ? '' : 's'} to run: ${pending.join(', ')}); run \`kaifang migrate\` (or start \`kaifang serve\`) first`,
        );
    } else if (migrate) await migrateToLatest(store.db, migrations, schema);
    if (!readOnly)
      try {
        await probeWrite(store.db, clock.now());
      } catch (err) {
        throw new ConfigError(
          config.databaseUrl ? 'DATABASE_URL' : 'KAIFANG_DATA_DIR',
          `the store ${name} cannot be written (${(err as Error).message}); kaifang needs to write it`,
        );
      }
    const sample = await sealedSample(store.db);
    const bootstrap = loadBootstrap(config, { storeIsNew: sample === undefined, storeName: name, create: !readOnly });
    // The key in use and a rotation's others; the store says which one seals.
    const box = new SecretBox(bootstrap.masterKey, masterKeyRing(config), () => masterKeyRing(config));
    const keyId = await recordedKeyId(store.db);
    if (keyId) box.use([bootstrap.masterKey, ...masterKeyRing(config)], keyId);
    if (sample !== undefined && !opens(box, sample)) {
      throw new ConfigError(
        bootstrap.masterKeySource,
        `cannot open the secrets in the store ${name}: it is not the master key they were sealed with. Restore the original key; every process of a deployment needs the same one`,
      );
    }
    if (!readOnly) await recordMasterKey(store.db, box);
    return { store, bootstrap, box };
  } catch (err) {
    await store.close();
    throw err;
  }
}

/**
 * Where state lives: Redis when REDIS_URL is set, else the store (an embedded one through its own
 * connection, with one-time ids recorded on `sqliteThread`, or a thread of their own, unless
 * KAIFANG_STATE_THREAD=false).
 */
export async function openState(
  config: Config,
  store: Store,
  log: Pick<Logger, 'error' | 'info'>,
  sqliteThread?: SharedThread,
): Promise<StateStore> {
  if (!config.redisUrl)
    return store.sqlite
      ? new SqliteStateStore(store.sqlite, systemClock, 60_000, config.stateThread && (sqliteThread ?? true))
      : new SqlStateStore(store.db, systemClock, 60_000, config.stateTimeoutMs);
  // Loaded only when configured: the embedded default never pays for the client (~25 MB RSS).
  const redis = new (await import('../state/redis.ts')).RedisStateStore(config.redisUrl, config.redisPrefix, {
    timeoutMs: config.stateTimeoutMs,
    onUnreachable: (err) =>
      log.error(
        { redisUrl: redactUrl(config.redisUrl ?? ''), err: { message: err.message } },
        `REDIS_URL: Redis cannot be reached (${err.message}); state operations fail until it is back`,
      ),
    onReachable: () => log.info({ redisUrl: redactUrl(config.redisUrl ?? '') }, 'REDIS_URL: Redis is reachable again'),
  });
  // Commands fail at once while Redis is not connected: a process starting beside it waits a
  // moment for the connection rather than fail its first calls.
  await redis.ready(2000);
  return redis;
}

/** The shared core every front's services are built from. */
export function assembleCore(parts: {
  config: Config;
  store: Store;
  box: SecretBox;
  clock: Clock;
  state: StateStore;
  upstreams: Upstreams;
  selfUrl: () => string;
}): Core {
  const { config, box, clock, state, upstreams } = parts;
  const db = parts.store.db;
  const cache = { size: config.cacheSize, ttlMs: config.cacheTtlMs };
  const upstreamTokens = new UpstreamTokens(state, clock);
  return {
    db,
    box,
    clock,
    state,
    quotas: new Quotas(state, clock),
    replay: new ReplayGuard(state),
    idempotency: new Idempotency(db, clock, { doneKept: config.cacheSize }),
    upstreamTokens,
    upstreams,
    wechat: createWechatApps({ db, box, clock, cache, upstreamTokens, officialAccountApi: () => upstreams.wechatOfficialAccount }),
    cache,
    publicUrl: parts.selfUrl,
  };
}
