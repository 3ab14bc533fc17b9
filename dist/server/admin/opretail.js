import { opretailOperations } from './opretailOperations.js';
import * as S from './opretailSchemas.js';
import { useStrictValidation } from './validation.js';
/**
 * `/admin/api/opretail`: developer keys, their grants, and the gateway's methods. Handlers only
 * translate HTTP to the shared operations; domain errors go to the admin error handler. Request
 * bodies are never logged (they carry secrets on create, import and rotation).
 */
export async function opretailAdmin(app, { k }) {
    useStrictValidation(app);
    const ops = opretailOperations(k);
    const methods = k.opretail.methods;
    // Developer keys
    app.get('/keys', { schema: { querystring: S.pageQuery } }, async (request) => {
        const { limit, offset } = request.query;
        return ops.listKeys(limit, offset);
    });
    app.post('/keys', { schema: { body: S.createKeyBody } }, async (request, reply) => {
        return reply.code(201).send(await ops.createKey(request.body));
    });
    app.get('/keys/:akey', { schema: { params: S.akeyParams } }, async (request) => ops.showKey(request.params.akey));
    app.patch('/keys/:akey', { schema: { params: S.akeyParams, body: S.updateKeyBody } }, async (request) => ops.updateKey(request.params.akey, request.body));
    app.post('/keys/:akey/disable', { schema: { params: S.akeyParams } }, async (request) => ops.setKeyEnabled(request.params.akey, false));
    app.post('/keys/:akey/enable', { schema: { params: S.akeyParams } }, async (request) => ops.setKeyEnabled(request.params.akey, true));
    app.post('/keys/:akey/expire', { schema: { params: S.akeyParams, body: S.expireBody } }, async (request) => {
        const body = (request.body ?? {});
        return ops.expireKey(request.params.akey, body.at);
    });
    app.post('/keys/:akey/rotate-secret', { schema: { params: S.akeyParams, body: S.rotateBody } }, async (request) => {
        const body = (request.body ?? {});
        return ops.rotateSecret(request.params.akey, body.applicationSecret);
    });
    // Grants of methods to keys
    app.get('/keys/:akey/grants', { schema: { params: S.akeyParams } }, async (request) => ops.grantsOf(request.params.akey));
    app.post('/keys/:akey/grants', { schema: { params: S.akeyParams, body: S.grantBody } }, async (request, reply) => {
        const { name, version } = request.body;
        return reply.code(201).send(await ops.grant(request.params.akey, name, version));
    });
    app.delete('/keys/:akey/grants/:name/:version', { schema: { params: S.grantParams } }, async (request) => {
        const { akey, name, version } = request.params;
        return ops.revoke(akey, name, version);
    });
    // Gateway methods
    app.get('/methods', async () => ({ methods: await methods.list() }));
    app.post('/methods', { schema: { body: S.createMethodBody } }, async (request, reply) => {
        return reply.code(201).send(await methods.create(request.body));
    });
    app.get('/methods/:name/:version', { schema: { params: S.methodParams } }, async (request) => {
        const { name, version } = request.params;
        return methods.get(name, version);
    });
    app.patch('/methods/:name/:version', { schema: { params: S.methodParams, body: S.updateMethodBody } }, async (request) => {
        const { name, version } = request.params;
        return methods.update(name, version, request.body);
    });
    app.post('/methods/:name/:version/disable', { schema: { params: S.methodParams } }, async (request) => {
        const { name, version } = request.params;
        return methods.setEnabled(name, version, false);
    });
    app.post('/methods/:name/:version/enable', { schema: { params: S.methodParams } }, async (request) => {
        const { name, version } = request.params;
        return methods.setEnabled(name, version, true);
    });
}
