import { systemClock } from '../core/clock.js';
import { CallLog } from '../core/callLog.js';
import { Quotas, ReplayGuard } from '../core/quota.js';
import { SecretBox } from '../core/secrets.js';
import { DeveloperKeys } from '../core/opretail/developerKeys.js';
import { GatewayMethods } from '../core/opretail/gatewayMethods.js';
import { migrateToLatest, openStore } from '../store/database.js';
import { SqlStateStore } from '../state/sql.js';
import { SqliteStateStore } from '../state/sqlite.js';
import { SqliteBackgroundWriter } from '../store/sqliteWriter.js';
import { loadBootstrap } from './bootstrap.js';
import { createLogger } from './logger.js';
import { Metrics } from './metrics.js';
import { createUpstreams } from '../upstream/index.js';
import { createStoreposServices } from '../core/storepos/index.js';
export async function createKaifang(config, options = {}) {
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
        if (options.migrate ?? true)
            await migrateToLatest(store.db, config.databaseUrl ? config.databaseSchema : undefined);
    }
    catch (err) {
        await store.close();
        throw err;
    }
    const db = store.db;
    const state = config.redisUrl
        ? // Loaded only when configured: the embedded default never pays for the client (~25 MB RSS).
            new (await import('../state/redis.js')).RedisStateStore(config.redisUrl, config.redisPrefix)
        : store.sqlite
            ? new SqliteStateStore(store.sqlite)
            : new SqlStateStore(db);
    const box = new SecretBox(bootstrap.masterKey);
    const cache = { size: config.cacheSize, ttlMs: config.cacheTtlMs };
    // On the embedded store, a writer thread takes the call log and the WAL checkpoints off the
    // request thread.
    const writer = store.sqlitePath ? new SqliteBackgroundWriter(store.sqlitePath) : undefined;
    if (writer)
        writer.takeOverCheckpoints(store.sqlite);
    const callLog = new CallLog(db, (err) => log.error({ err }, 'call log write failed'), 200, 500, writer);
    const pruner = setInterval(() => void callLog.prune(clock.now() - config.callLogRetentionDays * 86_400_000).catch(() => undefined), 3600_000);
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
        setListenUrl(url) {
            listenUrl = url;
        },
        async close() {
            if (closed)
                return;
            closed = true;
            clearInterval(pruner);
            await callLog.flush();
            await writer?.close();
            await state.close();
            await store.close();
        },
    };
}
