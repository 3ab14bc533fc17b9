import type { FastifyInstance } from 'fastify';
import { NotFound } from '../../../kernel/errors.ts';
import { listReply, pageQuery, useStrictValidation } from '../../kit/adminValidation.ts';
import type { FrontPluginOptions } from '../../kit/front.ts';
import { errors, ok, pathParams, queryParams, type OpenApiFragment } from '../../kit/openapi.ts';
import { presentApp, presentChannel } from './present.ts';
import * as S from './schemas.ts';
import type { JucaiServices } from '../services.ts';

/**
 * What the console's merchant page adds to `/admin/api/jucai` (read only): each channel of a
 * merchant with whether a call could use it now and why not, and the merchant's apps.
 */
export async function jucaiConsoleAdmin(app: FastifyInstance, { services }: FrontPluginOptions<JucaiServices>): Promise<void> {
  useStrictValidation(app);
  const s = services;

  app.get('/merchants/:mchNo/channel-status', { schema: { params: S.mchParams } }, async (request) => {
    const { mchNo } = request.params as { mchNo: string };
    const merchant = await s.organization.getMerchant(mchNo);
    const isv = await s.organization.getIsv(merchant.isvNo);
    const channels = await s.channels.list(mchNo);
    const rows = [];
    for (const c of channels) {
      let why: string | null = null;
      if (!isv.enabled) why = `ISV ${isv.isvNo} is disabled`;
      else if (!merchant.enabled) why = 'the merchant is disabled';
      else if (!c.enabled) why = 'the channel is disabled';
      else if (c.wayCode === 'WECHAT') {
        const pay = await s.payMerchants
          .get(c.wechatPayMchId)
          .catch((err: unknown) => (err instanceof NotFound ? undefined : Promise.reject(err)));
        if (!pay) why = `WeChat Pay merchant ${c.wechatPayMchId} is not registered`;
        else if (!pay.enabled) why = `WeChat Pay merchant ${c.wechatPayMchId} is disabled`;
      }
      rows.push({ ...presentChannel(c), usable: why === null, why });
    }
    return { mchNo, channels: rows };
  });

  app.get('/merchants/:mchNo/apps', { schema: { params: S.mchParams, querystring: pageQuery } }, async (request) => {
    const { mchNo } = request.params as { mchNo: string };
    const merchant = await s.organization.getMerchant(mchNo);
    const { limit, offset } = request.query as { limit: number; offset: number };
    // The apps' own list has no merchant filter: the first 10,000 apps are read and this merchant's kept.
    const mine = (await s.apps.list({ limit: 10_000, offset: 0 })).filter((a) => a.mchRef === merchant.id);
    return listReply(
      'apps',
      mine.slice(offset, offset + limit).map((a) => presentApp(a, mchNo)),
      mine.length,
      { limit, offset },
    );
  });
}

/** Its part of the OpenAPI document. */
export const jucaiConsoleAdminOpenApi: OpenApiFragment = {
  paths: {
    '/admin/api/jucai/merchants/{mchNo}/channel-status': {
      get: {
        tags: ['admin: jucai'],
        summary: "A merchant's channels, each with whether a call could use it now (`usable`) and why not (`why`)",
        parameters: pathParams(S.mchParams),
        responses: { ...ok('the channels', { type: 'object' }), ...errors(404) },
      },
    },
    '/admin/api/jucai/merchants/{mchNo}/apps': {
      get: {
        tags: ['admin: jucai'],
        summary: "A merchant's apps",
        parameters: [...pathParams(S.mchParams), ...queryParams(pageQuery)],
        responses: { ...ok('the apps', { type: 'object' }), ...errors(400, 404) },
      },
    },
  },
};
