import { InvalidInput, NotFound } from '../errors.js';
import { TtlCache } from '../cache.js';
import { insertUnique } from '../../store/database.js';
/** Names of the built-in methods; an operator cannot register over them. */
export const BUILT_IN_METHODS = new Set(['open.gateway.authentication']);
function fromRow(row) {
    return {
        id: Number(row.id),
        name: row.name,
        version: row.version,
        url: row.url,
        testUrl: row.test_url,
        timeoutMs: row.timeout_ms,
        enabled: row.enabled === 1,
        ratePerSecond: row.rate_per_second,
        ratePerDay: row.rate_per_day,
        description: row.description,
        createdAt: Number(row.created_at),
        updatedAt: Number(row.updated_at),
    };
}
function checkUrl(param, value) {
    let url;
    try {
        url = new URL(value);
    }
    catch {
        throw new InvalidInput(param, `${param} must be an absolute http(s) URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
        throw new InvalidInput(param, `${param} must be an http or https URL`);
}
function validate(input) {
    if (input.name !== undefined && !/^[A-Za-z0-9_.-]{1,100}$/.test(input.name)) {
        throw new InvalidInput('name', 'name must be 1–100 letters, digits, ".", "_" or "-"');
    }
    if (input.name !== undefined && BUILT_IN_METHODS.has(input.name)) {
        throw new InvalidInput('name', `${input.name} is built in and cannot be registered`);
    }
    if (input.version !== undefined && !/^[A-Za-z0-9_.-]{1,100}$/.test(input.version)) {
        throw new InvalidInput('version', 'version must be 1–100 letters, digits, ".", "_" or "-"');
    }
    if (input.url !== undefined)
        checkUrl('url', input.url);
    if (input.testUrl != null)
        checkUrl('testUrl', input.testUrl);
    for (const p of ['timeoutMs', 'ratePerSecond', 'ratePerDay']) {
        const v = input[p];
        if (v != null && !(Number.isSafeInteger(v) && v > 0))
            throw new InvalidInput(p, `${p} must be a positive integer`);
    }
}
/** The operator's method table and the grants of keys to methods. */
export class GatewayMethods {
    db;
    clock;
    routes;
    grants;
    constructor(db, clock, cache) {
        this.db = db;
        this.clock = clock;
        this.routes = new TtlCache(cache.size, cache.ttlMs);
        this.grants = new TtlCache(cache.size, cache.ttlMs);
    }
    async create(input) {
        validate(input);
        const now = this.clock.now();
        const row = await insertUnique(this.db
            .insertInto('opretail_methods')
            .values({
            name: input.name,
            version: input.version,
            url: input.url,
            test_url: input.testUrl ?? null,
            timeout_ms: input.timeoutMs ?? null,
            enabled: 1,
            rate_per_second: input.ratePerSecond ?? null,
            rate_per_day: input.ratePerDay ?? null,
            description: input.description ?? null,
            created_at: now,
            updated_at: now,
        })
            .returningAll()
            .executeTakeFirstOrThrow(), `method ${input.name} ${input.version} is already registered`);
        this.routes.delete(routeKey(input.name, input.version));
        return fromRow(row);
    }
    async list() {
        const rows = await this.db.selectFrom('opretail_methods').selectAll().orderBy('name').orderBy('version').execute();
        return rows.map(fromRow);
    }
    async get(name, version) {
        const row = await this.row(name, version);
        if (!row)
            throw new NotFound('method', `no method ${name} ${version}`);
        return fromRow(row);
    }
    /** The enabled method for `_mt` + `_version`, cached for `cacheTtlMs`. */
    async resolve(name, version) {
        const method = await this.routes.get(routeKey(name, version), async () => {
            const row = await this.row(name, version);
            return row ? fromRow(row) : undefined;
        });
        return method?.enabled ? method : undefined;
    }
    async update(name, version, changes) {
        validate(changes);
        const set = { updated_at: this.clock.now() };
        if (changes.url !== undefined)
            set.url = changes.url;
        if (changes.testUrl !== undefined)
            set.test_url = changes.testUrl;
        if (changes.timeoutMs !== undefined)
            set.timeout_ms = changes.timeoutMs;
        if (changes.ratePerSecond !== undefined)
            set.rate_per_second = changes.ratePerSecond;
        if (changes.ratePerDay !== undefined)
            set.rate_per_day = changes.ratePerDay;
        if (changes.description !== undefined)
            set.description = changes.description;
        return this.write(name, version, set);
    }
    async setEnabled(name, version, enabled) {
        return this.write(name, version, { enabled: enabled ? 1 : 0, updated_at: this.clock.now() });
    }
    async grant(keyId, method) {
        await this.db
            .insertInto('opretail_grants')
            .values({ key_id: keyId, method_id: method.id, created_at: this.clock.now() })
            .onConflict((oc) => oc.columns(['key_id', 'method_id']).doNothing())
            .execute();
        this.grants.delete(`${keyId}:${method.id}`);
    }
    async revoke(keyId, method) {
        await this.db.deleteFrom('opretail_grants').where('key_id', '=', keyId).where('method_id', '=', method.id).execute();
        this.grants.delete(`${keyId}:${method.id}`);
    }
    async isGranted(keyId, methodId) {
        const hit = await this.grants.get(`${keyId}:${methodId}`, async () => {
            const row = await this.db
                .selectFrom('opretail_grants')
                .select('key_id')
                .where('key_id', '=', keyId)
                .where('method_id', '=', methodId)
                .executeTakeFirst();
            return { granted: row !== undefined };
        });
        return hit?.granted ?? false;
    }
    /** The methods granted to a key, for listing. */
    async grantsOf(keyId) {
        const rows = await this.db
            .selectFrom('opretail_grants')
            .innerJoin('opretail_methods', 'opretail_methods.id', 'opretail_grants.method_id')
            .selectAll('opretail_methods')
            .where('opretail_grants.key_id', '=', keyId)
            .orderBy('opretail_methods.name')
            .execute();
        return rows.map(fromRow);
    }
    row(name, version) {
        return this.db
            .selectFrom('opretail_methods')
            .selectAll()
            .where('name', '=', name)
            .where('version', '=', version)
            .executeTakeFirst();
    }
    async write(name, version, set) {
        const row = await this.db
            .updateTable('opretail_methods')
            .set(set)
            .where('name', '=', name)
            .where('version', '=', version)
            .returningAll()
            .executeTakeFirst();
        this.routes.delete(routeKey(name, version));
        if (!row)
            throw new NotFound('method', `no method ${name} ${version}`);
        return fromRow(row);
    }
}
function routeKey(name, version) {
    return `${name}\u0000${version}`;
}
