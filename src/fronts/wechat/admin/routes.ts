import type { FastifyInstance } from 'fastify';
import type { WechatApps } from '../../../core/wechat/index.ts';
import { pageQuery, useStrictValidation } from '../../kit/adminValidation.ts';
import type { FrontPluginOptions } from '../../kit/front.ts';
import { wechatOperations } from './operations.ts';
import * as S from './schemas.ts';

type AppParams = { appid: string };
type PayParams = { mchId: string };
type Page = { limit?: number; offset?: number };

/** `/admin/api/wechat`: the WeChat apps the platform holds secrets for. Bodies carry secrets and are never logged. */
export async function wechatAdmin(app: FastifyInstance, { services }: FrontPluginOptions<WechatApps>): Promise<void> {
  useStrictValidation(app);
  const ops = wechatOperations(services);

  app.get('/miniapps', { schema: { querystring: pageQuery } }, async (request) => {
    const { limit, offset } = request.query as Page;
    return ops.listMiniapps(limit, offset);
  });
  app.post('/miniapps', { schema: { body: S.createMiniappBody } }, async (request, reply) =>
    reply.code(201).send(await ops.createMiniapp(request.body as { appid: string; secret: string; name?: string })),
  );
  app.get('/miniapps/:appid', { schema: { params: S.appParams } }, async (request) => ops.showMiniapp((request.params as AppParams).appid));
  app.patch('/miniapps/:appid', { schema: { params: S.appParams, body: S.updateMiniappBody } }, async (request) =>
    ops.updateMiniapp((request.params as AppParams).appid, request.body as { name?: string }),
  );
  app.put('/miniapps/:appid/secret', { schema: { params: S.appParams, body: S.secretBody } }, async (request) =>
    ops.setMiniappSecret((request.params as AppParams).appid, (request.body as { secret: string }).secret),
  );
  for (const [verb, enabled] of [
    ['disable', false],
    ['enable', true],
  ] as const) {
    app.post(`/miniapps/:appid/${verb}`, { schema: { params: S.appParams } }, async (request) =>
      ops.setMiniappEnabled((request.params as AppParams).appid, enabled),
    );
    app.post(`/pay-merchants/:mchId/${verb}`, { schema: { params: S.payMerchantParams } }, async (request) =>
      ops.setPayMerchantEnabled((request.params as PayParams).mchId, enabled),
    );
  }

  app.get('/official-accounts', { schema: { querystring: pageQuery } }, async (request) => {
    const { limit, offset } = request.query as Page;
    return ops.listOfficialAccounts(limit, offset);
  });
  app.post('/official-accounts', { schema: { body: S.createOfficialAccountBody } }, async (request, reply) =>
    reply.code(201).send(await ops.createOfficialAccount(request.body as { appid: string; secret: string })),
  );
  app.get('/official-accounts/:appid', { schema: { params: S.appParams } }, async (request) =>
    ops.showOfficialAccount((request.params as AppParams).appid),
  );
  app.patch('/official-accounts/:appid', { schema: { params: S.appParams, body: S.updateOfficialAccountBody } }, async (request) =>
    ops.updateOfficialAccount((request.params as AppParams).appid, request.body as { name?: string }),
  );
  app.put('/official-accounts/:appid/secret', { schema: { params: S.appParams, body: S.secretBody } }, async (request) =>
    ops.setOfficialAccountSecret((request.params as AppParams).appid, (request.body as { secret: string }).secret),
  );
  for (const [verb, enabled] of [
    ['disable', false],
    ['enable', true],
  ] as const) {
    app.post(`/official-accounts/:appid/${verb}`, { schema: { params: S.appParams } }, async (request) =>
      ops.setOfficialAccountEnabled((request.params as AppParams).appid, enabled),
    );
  }

  app.get('/pay-merchants', { schema: { querystring: pageQuery } }, async (request) => {
    const { limit, offset } = request.query as Page;
    return ops.listPayMerchants(limit, offset);
  });
  app.post('/pay-merchants', { schema: { body: S.createPayMerchantBody } }, async (request, reply) =>
    reply.code(201).send(await ops.createPayMerchant(request.body as { mchId: string; appid: string; key: string; name?: string })),
  );
  app.get('/pay-merchants/:mchId', { schema: { params: S.payMerchantParams } }, async (request) =>
    ops.showPayMerchant((request.params as PayParams).mchId),
  );
  app.patch('/pay-merchants/:mchId', { schema: { params: S.payMerchantParams, body: S.updatePayMerchantBody } }, async (request) =>
    ops.updatePayMerchant((request.params as PayParams).mchId, request.body as { appid?: string; name?: string }),
  );
  app.put('/pay-merchants/:mchId/key', { schema: { params: S.payMerchantParams, body: S.payMerchantKeyBody } }, async (request) =>
    ops.setPayMerchantKey((request.params as PayParams).mchId, (request.body as { key: string }).key),
  );
}
