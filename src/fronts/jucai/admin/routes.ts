import type { FastifyInstance } from 'fastify';
import type { ChannelInput } from '../domain/channels.ts';
import type { ListOptions } from '../../../core/credentials.ts';
import { deleteQuery, listQuery, setSecretBody, useStrictValidation } from '../../kit/adminValidation.ts';
import type { FrontPluginOptions } from '../../kit/front.ts';
import { jucaiOperations } from './operations.ts';
import * as S from './schemas.ts';
import type { JucaiServices } from '../services.ts';

type Page = ListOptions;
type Cascade = { cascade: boolean };

/**
 * `/admin/api/jucai`: ISVs, merchants, their channels, and apps. Handlers only translate HTTP to
 * the shared operations; bodies carry secrets and are never logged.
 */
export async function jucaiAdmin(app: FastifyInstance, { services }: FrontPluginOptions<JucaiServices>): Promise<void> {
  useStrictValidation(app);
  const ops = jucaiOperations(services);
  const p = <T>(request: { params: unknown }) => request.params as T;

  app.get('/isvs', { schema: { querystring: listQuery } }, async (request) => ops.listIsvs(request.query as Page));
  app.post('/isvs', { schema: { body: S.createIsvBody } }, async (request, reply) =>
    reply.code(201).send(await ops.createIsv(request.body as { name: string; isvNo?: string })),
  );
  app.get('/isvs/:isvNo', { schema: { params: S.isvParams } }, async (request) => ops.showIsv(p<{ isvNo: string }>(request).isvNo));
  app.patch('/isvs/:isvNo', { schema: { params: S.isvParams, body: S.updateIsvBody } }, async (request) =>
    ops.updateIsv(p<{ isvNo: string }>(request).isvNo, request.body as { name?: string }),
  );

  app.get('/merchants', { schema: { querystring: S.merchantsQuery } }, async (request) =>
    ops.listMerchants(request.query as Page & { isvNo?: string }),
  );
  app.post('/merchants', { schema: { body: S.createMerchantBody } }, async (request, reply) =>
    reply.code(201).send(await ops.createMerchant(request.body as Parameters<typeof ops.createMerchant>[0])),
  );
  app.get('/merchants/:mchNo', { schema: { params: S.mchParams } }, async (request) =>
    ops.showMerchant(p<{ mchNo: string }>(request).mchNo),
  );
  app.patch('/merchants/:mchNo', { schema: { params: S.mchParams, body: S.updateMerchantBody } }, async (request) =>
    ops.updateMerchant(p<{ mchNo: string }>(request).mchNo, request.body as Parameters<typeof ops.updateMerchant>[1]),
  );
  app.get('/merchants/:mchNo/channels', { schema: { params: S.mchParams } }, async (request) =>
    ops.listChannels(p<{ mchNo: string }>(request).mchNo),
  );
  app.put('/merchants/:mchNo/channels/:wayCode', { schema: { params: S.channelParams, body: S.channelBody } }, async (request) => {
    const { mchNo, wayCode } = p<{ mchNo: string; wayCode: string }>(request);
    return ops.setChannel(mchNo, wayCode, request.body as ChannelInput);
  });
  app.delete('/merchants/:mchNo/channels/:wayCode', { schema: { params: S.channelParams } }, async (request) => {
    const { mchNo, wayCode } = p<{ mchNo: string; wayCode: string }>(request);
    return ops.removeChannel(mchNo, wayCode);
  });

  app.get('/apps', { schema: { querystring: listQuery } }, async (request) => ops.listApps(request.query as Page));
  app.post('/apps', { schema: { body: S.createAppBody } }, async (request, reply) =>
    reply.code(201).send(await ops.createApp(request.body as { mchNo: string })),
  );
  app.get('/apps/:appId', { schema: { params: S.appParams } }, async (request) => ops.showApp(p<{ appId: string }>(request).appId));
  app.patch('/apps/:appId', { schema: { params: S.appParams, body: S.updateAppBody } }, async (request) =>
    ops.updateApp(p<{ appId: string }>(request).appId, request.body as { name?: string }),
  );
  // A body naming the secret is the old form of set-secret, still taken (deprecated).
  app.post('/apps/:appId/rotate-secret', { schema: { params: S.appParams, body: S.rotateAppBody } }, async (request) =>
    ops.rotateAppSecret(p<{ appId: string }>(request).appId, (request.body as { secret?: string } | null)?.secret),
  );
  app.post('/apps/:appId/set-secret', { schema: { params: S.appParams, body: setSecretBody } }, async (request) =>
    ops.setAppSecret(p<{ appId: string }>(request).appId, (request.body as { secret: string }).secret),
  );
  app.delete('/apps/:appId', { schema: { params: S.appParams } }, async (request) => ops.deleteApp(p<{ appId: string }>(request).appId));
  app.delete('/isvs/:isvNo', { schema: { params: S.isvParams, querystring: deleteQuery } }, async (request) =>
    ops.deleteIsv(p<{ isvNo: string }>(request).isvNo, (request.query as Cascade).cascade),
  );
  app.delete('/merchants/:mchNo', { schema: { params: S.mchParams, querystring: deleteQuery } }, async (request) =>
    ops.deleteMerchant(p<{ mchNo: string }>(request).mchNo, (request.query as Cascade).cascade),
  );

  for (const [verb, enabled] of [
    ['disable', false],
    ['enable', true],
  ] as const) {
    app.post(`/isvs/:isvNo/${verb}`, { schema: { params: S.isvParams } }, async (request) =>
      ops.updateIsv(p<{ isvNo: string }>(request).isvNo, { enabled }),
    );
    app.post(`/merchants/:mchNo/${verb}`, { schema: { params: S.mchParams } }, async (request) =>
      ops.updateMerchant(p<{ mchNo: string }>(request).mchNo, { enabled }),
    );
    app.post(`/apps/:appId/${verb}`, { schema: { params: S.appParams } }, async (request) =>
      ops.updateApp(p<{ appId: string }>(request).appId, { enabled }),
    );
  }
}
