import { InvalidInput, NotFound } from '../errors.js';
import { randomDigits, randomString } from '../random.js';
import { TtlCache } from '../cache.js';
import { insertUnique } from '../../store/database.js';
// Imported numbers come from the original platform: digits only, so they sign and log plainly.
export const AGENT_ID_PATTERN = /^[0-9]{1,32}$/;
const KEY_PATTERN = /^[\x21-\x7e]{16,128}$/;
function check(param, ok, message) {
    if (!ok)
        throw new InvalidInput(param, message);
}
function validate(input) {
    if (input.name !== undefined)
        check('name', input.name.trim().length > 0 && input.name.length <= 100, 'name must be 1–100 characters');
    if (input.agentId !== undefined)
        check('agentId', AGENT_ID_PATTERN.test(input.agentId), 'agentId must be 1–32 digits');
    if (input.key !== undefined)
        check('key', KEY_PATTERN.test(input.key), 'key must be 16–128 printable ASCII characters without spaces');
    if (input.smsDailyCap != null)
        check('smsDailyCap', Number.isSafeInteger(input.smsDailyCap) && input.smsDailyCap >= 0, 'smsDailyCap must be a whole number ≥ 0 (or null for the default)');
}
function fromRow(row) {
    return {
        id: Number(row.id),
        agentId: row.agent_id,
        name: row.name,
        enabled: row.enabled === 1,
        smsDailyCap: row.sms_daily_cap === null ? null : Number(row.sms_daily_cap),
        createdAt: Number(row.created_at),
        updatedAt: Number(row.updated_at),
    };
}
/**
 * Agents of the storepos front: issuing, importing, switching on and off, rotating keys. The key
 * is needed in clear to compute MD5 signatures, so it is stored sealed and opened only for
 * `findForSigning`, whose result is cached per process for `cacheTtlMs` (the bound on how long a
 * disabled agent or a rotated key keeps working in another process).
 */
export class Agents {
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
        validate(input);
        const now = this.clock.now();
        const key = input.key ?? randomString(32);
        // A generated number never starts with 0, so it keeps its 17 digits wherever it is parsed.
        const agentId = input.agentId ?? randomString(1, '123456789') + randomDigits(16);
        // Two creations of one number racing: the unique index decides, the loser hears Conflict.
        const row = await insertUnique(this.db
            .insertInto('storepos_agents')
            .values({
            agent_id: agentId,
            name: input.name,
            key_sealed: this.box.seal(key),
            enabled: 1,
            sms_daily_cap: input.smsDailyCap ?? null,
            created_at: now,
            updated_at: now,
        })
            .returningAll()
            .executeTakeFirstOrThrow(), `agent ${agentId} already exists`);
        this.cache.delete(agentId);
        return { ...fromRow(row), key };
    }
    async list(options = {}) {
        const rows = await this.db
            .selectFrom('storepos_agents')
            .selectAll()
            .orderBy('id')
            .limit(Math.min(options.limit ?? 100, 1000))
            .offset(options.offset ?? 0)
            .execute();
        return rows.map(fromRow);
    }
    async get(agentId) {
        const row = await this.row(agentId);
        if (!row)
            throw new NotFound('agent', `no agent ${agentId}`);
        return fromRow(row);
    }
    /** The agent with its key in clear, for signing; undefined when unknown. Cached (see class). */
    async findForSigning(agentId) {
        if (!AGENT_ID_PATTERN.test(agentId))
            return undefined;
        return this.cache.get(agentId, async () => {
            const row = await this.row(agentId);
            return row ? { ...fromRow(row), key: this.box.open(row.key_sealed) } : undefined;
        });
    }
    async setEnabled(agentId, enabled) {
        return this.write(agentId, { enabled: enabled ? 1 : 0, updated_at: this.clock.now() });
    }
    async update(agentId, changes) {
        validate(changes);
        const set = { updated_at: this.clock.now() };
        if (changes.name !== undefined)
            set.name = changes.name;
        if (changes.smsDailyCap !== undefined)
            set.sms_daily_cap = changes.smsDailyCap;
        return this.write(agentId, set);
    }
    /** Replaces the key; the new one is returned once and only stored sealed. */
    async rotateKey(agentId, newKey) {
        if (newKey !== undefined)
            validate({ key: newKey });
        const key = newKey ?? randomString(32);
        const agent = await this.write(agentId, { key_sealed: this.box.seal(key), updated_at: this.clock.now() });
        return { ...agent, key };
    }
    row(agentId) {
        return this.db.selectFrom('storepos_agents').selectAll().where('agent_id', '=', agentId).executeTakeFirst();
    }
    async write(agentId, set) {
        const row = await this.db
            .updateTable('storepos_agents')
            .set(set)
            .where('agent_id', '=', agentId)
            .returningAll()
            .executeTakeFirst();
        this.cache.delete(agentId);
        if (!row)
            throw new NotFound('agent', `no agent ${agentId}`);
        return fromRow(row);
    }
}
