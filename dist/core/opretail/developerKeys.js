import { InvalidInput, NotFound } from '../errors.js';
import { randomString } from '../random.js';
import { TtlCache } from '../cache.js';
import { insertUnique } from '../../store/database.js';
/** `ifexpire` of the seed: 1 never expires, 2 expired, 3 in service; derived from `expire`. */
export function ifexpire(key, now) {
    if (key.expire === null)
        return 1;
    return key.expire <= now ? 2 : 3;
}
const KEY_PATTERN = /^[A-Za-z0-9_.-]{1,20}$/;
const SECRET_PATTERN = /^[\x21-\x7e]{16,128}$/;
function check(param, ok, message) {
    if (!ok)
        throw new InvalidInput(param, message);
}
function validate(input) {
    if (input.username !== undefined)
        check('username', input.username.trim().length > 0 && input.username.length <= 100, 'username must be 1–100 characters');
    if (input.enterpriseId !== undefined)
        check('enterpriseId', Number.isSafeInteger(input.enterpriseId) && input.enterpriseId > 0, 'enterpriseId must be a positive integer');
    if (input.applicationKey !== undefined)
        check('applicationKey', KEY_PATTERN.test(input.applicationKey), 'applicationKey must be 1–20 letters, digits, "_", "." or "-"');
    if (input.applicationSecret !== undefined)
        check('applicationSecret', SECRET_PATTERN.test(input.applicationSecret), 'applicationSecret must be 16–128 printable ASCII characters without spaces');
    if (input.applicationId !== undefined)
        check('applicationId', /^[A-Za-z0-9_-]{1,20}$/.test(input.applicationId), 'applicationId must be 1–20 letters, digits, "_" or "-"');
    if (input.keytype !== undefined)
        check('keytype', input.keytype === 1 || input.keytype === 2, 'keytype must be 1 (formal) or 2 (test)');
    if (input.developerType !== undefined)
        check('developerType', [1, 2, 3].includes(input.developerType), 'developerType must be 1 (administrator), 2 (normal) or 3 (vendor)');
    if (input.shopwebEnterpriseId != null)
        check('shopwebEnterpriseId', Number.isSafeInteger(input.shopwebEnterpriseId) && input.shopwebEnterpriseId > 0, 'shopwebEnterpriseId must be a positive integer');
    if (input.ratePerSecond != null)
        check('ratePerSecond', Number.isSafeInteger(input.ratePerSecond) && input.ratePerSecond > 0, 'ratePerSecond must be a positive integer');
    if (input.ratePerDay != null)
        check('ratePerDay', Number.isSafeInteger(input.ratePerDay) && input.ratePerDay > 0, 'ratePerDay must be a positive integer');
    if (input.expire != null)
        check('expire', Number.isFinite(input.expire), 'expire must be a time');
}
function fromRow(row) {
    return {
        id: Number(row.id),
        username: row.username,
        applicationId: row.application_id,
        applicationKey: row.application_key,
        keytype: row.keytype,
        expire: row.expire === null ? null : Number(row.expire),
        enterpriseId: Number(row.enterprise_id),
        shopwebEnterpriseId: row.shopweb_enterprise_id === null ? null : Number(row.shopweb_enterprise_id),
        switchStatus: row.switch_status,
        switchTime: row.switch_time === null ? null : Number(row.switch_time),
        developerType: row.developer_type,
        supplierAccount: row.supplier_account,
        ratePerSecond: row.rate_per_second,
        ratePerDay: row.rate_per_day,
        createdAt: Number(row.created_at),
        updatedAt: Number(row.updated_at),
    };
}
/** Developer keys of the Opretail gateway: issuing, importing, switching, expiring, rotating. */
export class DeveloperKeys {
    db;
    box;
    clock;
    defaultAid;
    cache;
    constructor(db, box, clock, defaultAid, cache) {
        this.db = db;
        this.box = box;
        this.clock = clock;
        this.defaultAid = defaultAid;
        this.cache = new TtlCache(cache.size, cache.ttlMs);
    }
    async create(input) {
        validate(input);
        const now = this.clock.now();
        const applicationId = input.applicationId ?? this.defaultAid;
        const applicationKey = input.applicationKey ?? `${applicationId}-${randomString(12)}`;
        const applicationSecret = input.applicationSecret ?? randomString(32);
        const row = await insertUnique(this.db
            .insertInto('opretail_developer_keys')
            .values({
            username: input.username,
            application_id: applicationId,
            application_key: applicationKey,
            application_secret_sealed: this.box.seal(applicationSecret),
            keytype: input.keytype ?? 1,
            expire: input.expire ?? null,
            enterprise_id: input.enterpriseId,
            shopweb_enterprise_id: input.shopwebEnterpriseId ?? null,
            switch_status: 1,
            switch_time: now,
            developer_type: input.developerType ?? 2,
            supplier_account: input.supplierAccount ?? null,
            rate_per_second: input.ratePerSecond ?? null,
            rate_per_day: input.ratePerDay ?? null,
            created_at: now,
            updated_at: now,
        })
            .returningAll()
            .executeTakeFirstOrThrow(), `developer key ${applicationKey} already exists`);
        this.cache.delete(applicationKey);
        return { ...fromRow(row), applicationSecret };
    }
    async list(options = {}) {
        const rows = await this.db
            .selectFrom('opretail_developer_keys')
            .selectAll()
            .orderBy('id')
            .limit(Math.min(options.limit ?? 100, 1000))
            .offset(options.offset ?? 0)
            .execute();
        return rows.map(fromRow);
    }
    async get(applicationKey) {
        const row = await this.row(applicationKey);
        if (!row)
            throw new NotFound('developerKey', `no developer key ${applicationKey}`);
        return fromRow(row);
    }
    /** The key with its secret in clear, for verifying a signature; cached for `cacheTtlMs`. */
    async findForSigning(applicationKey) {
        return this.cache.get(applicationKey, async () => {
            const row = await this.row(applicationKey);
            return row ? { ...fromRow(row), applicationSecret: this.box.open(row.application_secret_sealed) } : undefined;
        });
    }
    async update(applicationKey, changes) {
        validate(changes);
        const set = { updated_at: this.clock.now() };
        if (changes.username !== undefined)
            set.username = changes.username;
        if (changes.enterpriseId !== undefined)
            set.enterprise_id = changes.enterpriseId;
        if (changes.keytype !== undefined)
            set.keytype = changes.keytype;
        if (changes.expire !== undefined)
            set.expire = changes.expire;
        if (changes.shopwebEnterpriseId !== undefined)
            set.shopweb_enterprise_id = changes.shopwebEnterpriseId;
        if (changes.developerType !== undefined)
            set.developer_type = changes.developerType;
        if (changes.supplierAccount !== undefined)
            set.supplier_account = changes.supplierAccount;
        if (changes.ratePerSecond !== undefined)
            set.rate_per_second = changes.ratePerSecond;
        if (changes.ratePerDay !== undefined)
            set.rate_per_day = changes.ratePerDay;
        return this.write(applicationKey, set);
    }
    async setEnabled(applicationKey, enabled) {
        const now = this.clock.now();
        return this.write(applicationKey, { switch_status: enabled ? 1 : 2, switch_time: now, updated_at: now });
    }
    /** Expires the key at `at` (default now); `null` makes it never expire. */
    async expire(applicationKey, at = this.clock.now()) {
        return this.write(applicationKey, { expire: at, updated_at: this.clock.now() });
    }
    /** Replaces the secret; the new one is returned once and only stored sealed. */
    async rotateSecret(applicationKey, newSecret) {
        if (newSecret !== undefined)
            validate({ applicationSecret: newSecret });
        const applicationSecret = newSecret ?? randomString(32);
        const key = await this.write(applicationKey, {
            application_secret_sealed: this.box.seal(applicationSecret),
            updated_at: this.clock.now(),
        });
        return { ...key, applicationSecret };
    }
    async count() {
        const row = await this.db
            .selectFrom('opretail_developer_keys')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow();
        return Number(row.n);
    }
    row(applicationKey) {
        return this.db
            .selectFrom('opretail_developer_keys')
            .selectAll()
            .where('application_key', '=', applicationKey)
            .executeTakeFirst();
    }
    async write(applicationKey, set) {
        const row = await this.db
            .updateTable('opretail_developer_keys')
            .set(set)
            .where('application_key', '=', applicationKey)
            .returningAll()
            .executeTakeFirst();
        this.cache.delete(applicationKey);
        if (!row)
            throw new NotFound('developerKey', `no developer key ${applicationKey}`);
        return fromRow(row);
    }
}
