import { InvalidInput, NotFound } from '../errors.js';
import { TtlCache } from '../cache.js';
import { insertUnique } from '../../store/database.js';
// WeChat appids are "wx" and 16 hex digits; letters of either case are let through for imports.
const APPID_PATTERN = /^wx[0-9A-Za-z]{16}$/;
const SECRET_PATTERN = /^[\x21-\x7e]{8,128}$/;
function check(param, ok, message) {
    if (!ok)
        throw new InvalidInput(param, message);
}
function validate(input) {
    if (input.appid !== undefined)
        check('appid', APPID_PATTERN.test(input.appid), 'appid must be "wx" followed by 16 letters or digits');
    if (input.name !== undefined)
        check('name', input.name.trim().length > 0 && input.name.length <= 100, 'name must be 1–100 characters');
    if (input.secret !== undefined)
        check('secret', SECRET_PATTERN.test(input.secret), 'secret must be 8–128 printable ASCII characters without spaces');
}
function fromRow(row) {
    return {
        id: Number(row.id),
        appid: row.appid,
        name: row.name,
        enabled: row.enabled === 1,
        createdAt: Number(row.created_at),
        updatedAt: Number(row.updated_at),
    };
}
/**
 * Mini-programs (appid + sealed AppSecret) and the grants that let an agent use one. The login
 * path looks a grant up on every call, so (agent, appid) → mini-program is cached per process
 * for `cacheTtlMs`, the bound on how long a revoked grant or a changed secret takes elsewhere.
 */
export class MiniPrograms {
    db;
    box;
    clock;
    cache;
    constructor(db, box, clock, cache) {
        this.db = db;
        this.box = box;
        this.clock = clock;
        this.cache = new TtlCache(cache.size, cache.ttlMs);
    }
    async create(input) {
        check('appid', typeof input.appid === 'string' && input.appid !== '', 'appid is required');
        check('secret', typeof input.secret === 'string' && input.secret !== '', 'secret is required');
        const name = input.name ?? input.appid;
        validate({ ...input, name });
        const now = this.clock.now();
        const row = await insertUnique(this.db
            .insertInto('wechat_miniapps')
            .values({ appid: input.appid, name, secret_sealed: this.box.seal(input.secret), enabled: 1, created_at: now, updated_at: now })
            .returningAll()
            .executeTakeFirstOrThrow(), `mini-program ${input.appid} already exists`);
        this.cache.clear();
        return fromRow(row);
    }
    async list(options = {}) {
        const rows = await this.db
            .selectFrom('wechat_miniapps')
            .selectAll()
            .orderBy('id')
            .limit(Math.min(options.limit ?? 100, 1000))
            .offset(options.offset ?? 0)
            .execute();
        return rows.map(fromRow);
    }
    async get(appid) {
        const row = await this.row(appid);
        if (!row)
            throw new NotFound('miniProgram', `no mini-program ${appid}`);
        return fromRow(row);
    }
    async setSecret(appid, secret) {
        check('secret', typeof secret === 'string' && secret !== '', 'secret is required');
        validate({ secret });
        return this.write(appid, { secret_sealed: this.box.seal(secret), updated_at: this.clock.now() });
    }
    async update(appid, changes) {
        validate(changes);
        return this.write(appid, { ...(changes.name !== undefined ? { name: changes.name } : {}), updated_at: this.clock.now() });
    }
    async setEnabled(appid, enabled) {
        return this.write(appid, { enabled: enabled ? 1 : 0, updated_at: this.clock.now() });
    }
    /** Lets the agent (by its row id) use the mini-program; granting twice is not an error. */
    async grant(agentRef, appid) {
        const app = await this.get(appid);
        await this.db
            .insertInto('storepos_grants')
            .values({ agent_ref: agentRef, miniapp_ref: app.id, created_at: this.clock.now() })
            .onConflict((oc) => oc.columns(['agent_ref', 'miniapp_ref']).doNothing())
            .execute();
        this.cache.clear();
    }
    /** Withdraws a grant; true when there was one. */
    async revoke(agentRef, appid) {
        const app = await this.get(appid);
        const res = await this.db
            .deleteFrom('storepos_grants')
            .where('agent_ref', '=', agentRef)
            .where('miniapp_ref', '=', app.id)
            .executeTakeFirst();
        this.cache.clear();
        return Number(res.numDeletedRows) > 0;
    }
    /** The appids granted to an agent (by its row id). */
    async grantedTo(agentRef) {
        const rows = await this.db
            .selectFrom('storepos_grants')
            .innerJoin('wechat_miniapps', 'wechat_miniapps.id', 'storepos_grants.miniapp_ref')
            .select('wechat_miniapps.appid')
            .where('storepos_grants.agent_ref', '=', agentRef)
            .orderBy('wechat_miniapps.appid')
            .execute();
        return rows.map((r) => r.appid);
    }
    /**
     * The mini-program with its secret when it exists, is enabled and is granted to the agent;
     * otherwise undefined (callers do not learn which, so appids of other agents stay private).
     */
    async findGranted(agentRef, appid) {
        if (!APPID_PATTERN.test(appid))
            return undefined;
        return this.cache.get(`${agentRef}\u0000${appid}`, async () => {
            const row = await this.db
                .selectFrom('wechat_miniapps')
                .innerJoin('storepos_grants', 'storepos_grants.miniapp_ref', 'wechat_miniapps.id')
                .selectAll('wechat_miniapps')
                .where('storepos_grants.agent_ref', '=', agentRef)
                .where('wechat_miniapps.appid', '=', appid)
                .where('wechat_miniapps.enabled', '=', 1)
                .executeTakeFirst();
            return row ? { ...fromRow(row), secret: this.box.open(row.secret_sealed) } : undefined;
        });
    }
    row(appid) {
        return this.db.selectFrom('wechat_miniapps').selectAll().where('appid', '=', appid).executeTakeFirst();
    }
    async write(appid, set) {
        const row = await this.db.updateTable('wechat_miniapps').set(set).where('appid', '=', appid).returningAll().executeTakeFirst();
        this.cache.clear();
        if (!row)
            throw new NotFound('miniProgram', `no mini-program ${appid}`);
        return fromRow(row);
    }
}
