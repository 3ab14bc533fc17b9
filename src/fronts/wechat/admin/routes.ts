import type { FastifyInstance } from 'fastify';
import { InvalidInput } from '../../../kernel/errors.ts';
import type { WechatApps } from '../../../core/wechat/index.ts';
import type { ListOptions } from '../../../core/credentials.ts';
import { listQuery, setSecretBody, useStrictValidation, withSecretAs } from '../../kit/adminValidation.ts';
import type { FrontPluginOptions } from '../../kit/front.ts';
import { wechatOperations } from './operations.ts';
import * as S from './schemas.ts';

type AppParams = { appid: string };
type PayParams = { mchId: string };

/** `/admin/api/wechat`: the WeChat apps the platform holds secrets for. Bodies carry secrets and are never logged. */
export async function wechatAdmin(app: FastifyInstance, { services }: FrontPluginOptions<WechatApps>): Promise<void> {
  useStrictValidation(app);
  const ops = wechatOperations(services);

  app.get('/miniapps', { schema: { querystring: listQuery } }, async (request) => ops.listMiniapps(request.query as ListOptions));
  app.post('/miniapps', { schema: { body: S.createMiniappBody } }, async (request, reply) =>
    reply.code(201).send(await ops.createMiniapp(request.body as { appid: string; secret: string; name?: string })),
  );
  app.get('/miniapps/:appid', { schema: { params: S.appParams } }, async (request) => ops.showMiniapp((request.params as AppParams).appid));
  app.patch('/miniapps/:appid', { schema: { params: S.appParams, body: S.updateMiniappBody } }, async (request) =>
    ops.updateMiniapp((request.params as AppParams).appid, request.body as { name?: string }),
  );
  // WeChat issues these secrets: kaifang cannot make one up, so there is set-secret and no rotate-secret.
  app.post('/miniapps/:appid/set-secret', { schema: { params: S.appParams, body: setSecretBody } }, async (request) =>
    ops.setMiniappSecret((request.params as AppParams).appid, (request.body as { secret: string }).secret),
  );
  // Deprecated: the old verb of set-secret.
  app.put('/miniapps/:appid/secret', { schema: { params: S.appParams, body: S.secretBody } }, async (request) =>
    ops.setMiniappSecret((request.params as AppParams).appid, (request.body as { secret: string }).secret),
  );
  app.delete('/miniapps/:appid', { schema: { params: S.appParams } }, async (request) =>
    ops.deleteMiniapp((request.params as AppParams).appid),
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

  app.get('/official-accounts', { schema: { querystring: listQuery } }, async (request) =>
    ops.listOfficialAccounts(request.query as ListOptions),
  );
  app.post('/official-accounts', { schema: { body: S.createOfficialAccountBody } }, async (request, reply) =>
    reply.code(201).send(await ops.createOfficialAccount(request.body as { appid: string; secret: string })),
  );
  app.get('/official-accounts/:appid', { schema: { params: S.appParams } }, async (request) =>
    ops.showOfficialAccount((request.params as AppParams).appid),
  );
  app.patch('/official-accounts/:appid', { schema: { params: S.appParams, body: S.updateOfficialAccountBody } }, async (request) =>
    ops.updateOfficialAccount((request.params as AppParams).appid, request.body as { name?: string }),
  );
  app.post('/official-accounts/:appid/set-secret', { schema: { params: S.appParams, body: setSecretBody } }, async (request) =>
    ops.setOfficialAccountSecret((request.params as AppParams).appid, (request.body as { secret: string }).secret),
  );
  // Deprecated: the old verb of set-secret.
  app.put('/official-accounts/:appid/secret', { schema: { params: S.appParams, body: S.secretBody } }, async (request) =>
    ops.setOfficialAccountSecret((request.params as AppParams).appid, (request.body as { secret: string }).secret),
  );
  app.delete('/official-accounts/:appid', { schema: { params: S.appParams } }, async (request) =>
    ops.deleteOfficialAccount((request.params as AppParams).appid),
  );
  for (const [verb, enabled] of [
    ['disable', false],
    ['enable', true],
  ] as const) {
    app.post(`/official-accounts/:appid/${verb}`, { schema: { params: S.appParams } }, async (request) =>
      ops.setOfficialAccountEnabled((request.params as AppParams).appid, enabled),
    );
  }

  app.get('/pay-merchants', { schema: { querystring: listQuery } }, async (request) => ops.listPayMerchants(request.query as ListOptions));
  app.post('/pay-merchants', { schema: { body: S.createPayMerchantBody } }, async (request, reply) =>
    reply.code(201).send(await ops.createPayMerchant(payMerchantInput(request.body as PayMerchantBody))),
  );
  app.get('/pay-merchants/:mchId', { schema: { params: S.payMerchantParams } }, async (request) =>
    ops.showPayMerchant((request.params as PayParams).mchId),
  );
  app.patch('/pay-merchants/:mchId', { schema: { params: S.payMerchantParams, body: S.updatePayMerchantBody } }, async (request) =>
    ops.updatePayMerchant((request.params as PayParams).mchId, request.body as { appid?: string; name?: string }),
  );
  // The API v2 key, as `secret` like every front's secret.
  app.post('/pay-merchants/:mchId/set-secret', { schema: { params: S.payMerchantParams, body: setSecretBody } }, async (request) =>
    ops.setPayMerchantKey((request.params as PayParams).mchId, (request.body as { secret: string }).secret),
  );
  // Deprecated: the old verb of set-secret.
  app.put('/pay-merchants/:mchId/key', { schema: { params: S.payMerchantParams, body: S.payMerchantKeyBody } }, async (request) =>
    ops.setPayMerchantKey((request.params as PayParams).mchId, (request.body as { key: string }).key),
  );
  app.delete('/pay-merchants/:mchId', { schema: { params: S.payMerchantParams } }, async (request) =>
    ops.deletePayMerchant((request.params as PayParams).mchId),
  );
}

type PayMerchantBody = { mchId: string; appid: string; secret?: string; key?: string; name?: string };

/** The API v2 key is required, as `secret` (or its older name `key`). */
function payMerchantInput(body: PayMerchantBody): { mchId: string; appid: string; key: string; name?: string } {
  const { key, ...rest } = withSecretAs(body, 'key');
  if (key === undefined) throw new InvalidInput('secret', 'secret is required: the API v2 key (32 characters, set on pay.weixin.qq.com)');
  return { ...rest, key };
}
