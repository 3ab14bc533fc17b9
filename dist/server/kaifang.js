import { systemClock } from '../core/clock.js';
import { CallLog } from '../core/callLog.js';
import { Quotas, ReplayGuard } from '../core/quota.js';
import { SecretBox } from '../core/secrets.js';
import { DeveloperKeys } from '../core/opretail/developerKeys.js';
import { GatewayMethods } from '../core/opretail/gatewayMethods.js';
import { migrateToLatest, openStore } from '../store/database.js';
import { SqlStateStore } from '../state/sql.js';
import { SqliteStateStore } from '../state/sqlite.js';
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
    const callLog = new CallLog(db, (err) => log.error({ err }, 'call log write failed'), 200, 500, store.sqlite);
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
            await state.close();
            await store.close();
        },
    };
}
