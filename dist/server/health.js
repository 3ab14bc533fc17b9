import { pingStore } from '../store/database.js';
/** `/healthz` (the process answers), `/readyz` (database and state answer), `/metrics`. */
export async function healthRoutes(app, { k }) {
    app.get('/healthz', async () => ({ status: 'ok' }));
    app.get('/readyz', async (_req, reply) => {
        const checks = {};
        const probe = async (name, fn) => {
            try {
                await withTimeout(fn(), 2000);
                checks[name] = 'ok';
            }
            catch (err) {
                checks[name] = `failing: ${err.message}`;
            }
        };
        await Promise.all([probe('database', () => pingStore(k.db)), probe('state', () => k.state.ping())]);
        const ready = Object.values(checks).every((v) => v === 'ok');
        return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
    });
    app.get('/metrics', async (_req, reply) => {
        reply.header('content-type', k.metrics.registry.contentType);
        return k.metrics.registry.metrics();
    });
}
function withTimeout(p, ms) {
    return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
        p.then((v) => (clearTimeout(t), resolve(v)), (e) => (clearTimeout(t), reject(e instanceof Error ? e : new Error(String(e)))));
    });
}
