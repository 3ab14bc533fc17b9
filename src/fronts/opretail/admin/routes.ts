import type { FastifyInstance } from 'fastify';
import type { GatewayMethodChanges, NewGatewayMethod } from '../domain/gatewayMethods.ts';
import { listQuery, setSecretBody, useStrictValidation, withSecretAs } from '../../kit/adminValidation.ts';
import type { ListOptions } from '../../../core/credentials.ts';
import type { FrontPluginOptions } from '../../kit/front.ts';
import { opretailOperations, type KeyChangesInput, type KeyInput } from './operations.ts';
import * as S from './schemas.ts';
import type { OpretailServices } from '../services.ts';

type AkeyParams = { akey: string };
type MethodParams = { name: string; version: string };

/**
 * `/admin/api/opretail`: developer keys, their grants, and the gateway's methods. Handlers only
 * translate HTTP to the shared operations; domain errors go to the admin error handler. Request
 * bodies are never logged (they carry secrets on create, import and rotation).
 */
export async function opretailAdmin(app: FastifyInstance, { services }: FrontPluginOptions<OpretailServices>): Promise<void> {
  useStrictValidation(app);
  const ops = opretailOperations(services);

  // Developer keys
  app.get('/keys', { schema: { querystring: listQuery } }, async (request) => ops.listKeys(request.query as ListOptions));
  app.post('/keys', { schema: { body: S.createKeyBody } }, async (request, reply) => {
    return reply.code(201).send(await ops.createKey(withSecretAs(request.body as KeyInput & { secret?: string }, 'applicationSecret')));
  });
  app.get('/keys/:akey', { schema: { params: S.akeyParams } }, async (request) => ops.showKey((request.params as AkeyParams).akey));
  app.patch('/keys/:akey', { schema: { params: S.akeyParams, body: S.updateKeyBody } }, async (request) =>
    ops.updateKey((request.params as AkeyParams).akey, request.body as KeyChangesInput),
  );
  app.post('/keys/:akey/disable', { schema: { params: S.akeyParams } }, async (request) =>
    ops.setKeyEnabled((request.params as AkeyParams).akey, false),
  );
  app.post('/keys/:akey/enable', { schema: { params: S.akeyParams } }, async (request) =>
    ops.setKeyEnabled((request.params as AkeyParams).akey, true),
  );
  app.post('/keys/:akey/expire', { schema: { params: S.akeyParams, body: S.expireBody } }, async (request) => {
    const body = (request.body ?? {}) as { at?: string | null };
    return ops.expireKey((request.params as AkeyParams).akey, body.at);
  });
  // A body naming applicationSecret is the old form of set-secret, still taken (deprecated).
  app.post('/keys/:akey/rotate-secret', { schema: { params: S.akeyParams, body: S.rotateBody } }, async (request) => {
    const body = (request.body ?? {}) as { applicationSecret?: string };
    return ops.rotateSecret((request.params as AkeyParams).akey, body.applicationSecret);
  });
  app.post('/keys/:akey/set-secret', { schema: { params: S.akeyParams, body: setSecretBody } }, async (request) =>
    ops.setSecret((request.params as AkeyParams).akey, (request.body as { secret: string }).secret),
  );
  app.delete('/keys/:akey', { schema: { params: S.akeyParams } }, async (request) => ops.deleteKey((request.params as AkeyParams).akey));

  // Grants of methods to keys
  app.get('/keys/:akey/grants', { schema: { params: S.akeyParams } }, async (request) => ops.grantsOf((request.params as AkeyParams).akey));
  // The admin API's one convention for relations: PUT the relation's path to grant (idempotent), DELETE it to revoke.
  app.put('/keys/:akey/grants/:name/:version', { schema: { params: S.grantParams } }, async (request) => {
    const { akey, name, version } = request.params as AkeyParams & MethodParams;
    return ops.grant(akey, name, version);
  });
  app.delete('/keys/:akey/grants/:name/:version', { schema: { params: S.grantParams } }, async (request) => {
    const { akey, name, version } = request.params as AkeyParams & MethodParams;
    return ops.revoke(akey, name, version);
  });

  // Gateway methods
  app.get('/methods', { schema: { querystring: listQuery } }, async (request) => ops.listMethods(request.query as ListOptions));
  app.post('/methods', { schema: { body: S.createMethodBody } }, async (request, reply) =>
    reply.code(201).send(await ops.createMethod(request.body as NewGatewayMethod)),
  );
  app.get('/methods/:name/:version', { schema: { params: S.methodParams } }, async (request) => {
    const { name, version } = request.params as MethodParams;
    return ops.showMethod(name, version);
  });
  app.patch('/methods/:name/:version', { schema: { params: S.methodParams, body: S.updateMethodBody } }, async (request) => {
    const { name, version } = request.params as MethodParams;
    return ops.updateMethod(name, version, request.body as GatewayMethodChanges);
  });
  for (const [verb, enabled] of [
    ['disable', false],
    ['enable', true],
  ] as const) {
    app.post(`/methods/:name/:version/${verb}`, { schema: { params: S.methodParams } }, async (request) => {
      const { name, version } = request.params as MethodParams;
      return ops.setMethodEnabled(name, version, enabled);
    });
  }
}
