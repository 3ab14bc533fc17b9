/** The sandbox SMS outbox: what the simulators "sent", newest first. */
export class SandboxOutbox {
    db;
    clock;
    constructor(db, clock) {
        this.db = db;
        this.clock = clock;
    }
    async add(m) {
        await this.db
            .insertInto('sandbox_sms_outbox')
            .values({ at: this.clock.now(), provider: m.provider, mobile: m.mobile, text: m.text, code: m.code, template: m.template })
            .execute();
    }
    async list(filter = {}) {
        let q = this.db.selectFrom('sandbox_sms_outbox').selectAll();
        if (filter.mobile !== undefined)
            q = q.where('mobile', '=', filter.mobile);
        const rows = await q.orderBy('id', 'desc').limit(filter.limit ?? 50).execute();
        // PostgreSQL returns bigint columns as text.
        return rows.map((r) => ({ ...r, id: Number(r.id), at: Number(r.at) }));
    }
    async clear() {
        const res = await this.db.deleteFrom('sandbox_sms_outbox').executeTakeFirst();
        return Number(res.numDeletedRows);
    }
}
