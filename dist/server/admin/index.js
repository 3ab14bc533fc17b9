import { constantTimeEqual } from '../../core/secrets.js';
import { DomainError } from '../../core/errors.js';
import { adminErrorStatus } from './errors.js';
import { opretailAdmin } from './opretail.js';
import { sandboxAdmin } from './sandbox.js';
import { storeposAdmin } from './storepos.js';
/**
 * The admin API under `/admin/api`: Bearer admin token, JSON in and out, errors as
 * `{ "error": { "kind", "message", "param"? } }`. Each resource is its own plugin file.
 */
export async function adminApi(app, { k }) {
    app.addHook('onRequest', async (request, reply) => {
        const header = request.headers.authorization ?? '';
        const token = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
        if (token === '' || !constantTimeEqual(token, k.bootstrap.adminToken)) {
            return reply
                .code(401)
                .header('www-authenticate', 'Bearer')
                .send({ error: { kind: 'Unauthorized', message: 'send the admin token as "Authorization: Bearer <token>"' } });
        }
    });
    app.setErrorHandler((err, request, reply) => {
        if (err instanceof DomainError) {
            const body = { kind: err.kind, message: err.message };
            if ('param' in err)
                body.param = err.param;
            return reply.code(adminErrorStatus(err)).send({ error: body });
        }
        const e = err;
        if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
            return reply.code(e.statusCode).send({ error: { kind: 'BadRequest', message: e.message ?? 'bad request' } });
        }
        request.log.error({ err }, 'admin API failure');
        return reply.code(500).send({ error: { kind: 'Internal', message: `internal error; request id ${request.id}` } });
    });
    await app.register(opretailAdmin, { k, prefix: '/opretail' });
    await app.register(sandboxAdmin, { k });
    await app.register(storeposAdmin, { k });
    app.get('/calls', async (request) => {
        const q = request.query;
        const num = (v) => (v === undefined || v === '' ? undefined : Number(v));
        return {
            calls: await k.callLog.query({
                ...(q.front ? { front: q.front } : {}),
                ...(q.credential ? { credential: q.credential } : {}),
                ...(num(q.since) !== undefined ? { since: num(q.since) } : {}),
                ...(num(q.until) !== undefined ? { until: num(q.until) } : {}),
                ...(num(q.limit) !== undefined ? { limit: num(q.limit) } : {}),
            }),
        };
    });
}
