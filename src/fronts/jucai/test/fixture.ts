import assert from 'node:assert/strict';
import type { FrontFixture } from '../../../../test/helpers/frontFixtures.ts';
import { independentSign, orderNo, paymentCode, SANDBOX_WECHATPAY_KEY } from './helpers.ts';

type Json = Record<string, any>;

/** 巨彩 for the platform's tests: ISV, merchant, app, a WeChat Pay merchant and channel, and a payer looked up. */
export const fixture: FrontFixture<{ mchNo: string; appId: string; secret: string }> = {
  async fill(s) {
    const ok = async (path: string, body?: unknown, method?: string) => {
      const r = await s.admin(path, { ...(body === undefined ? {} : { body }), ...(method ? { method } : {}) });
      assert.ok(r.status < 300, `${path}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body as Json;
    };
    const isv = await ok('/jucai/isvs', { name: 'isv' });
    const mch = await ok('/jucai/merchants', { isvNo: isv.isvNo, name: 'mch' });
    const app = await ok('/jucai/apps', { mchNo: mch.mchNo });
    await ok('/wechat/pay-merchants', { mchId: '1900000109', appid: 'wxd930ea5d5a258f4f', key: SANDBOX_WECHATPAY_KEY });
    await ok(`/jucai/merchants/${mch.mchNo}/channels/WECHAT`, { wechatPayMchId: '1900000109' }, 'PUT');
    const creds = { mchNo: mch.mchNo as string, appId: app.appId as string, secret: app.secret as string };
    await fixture.callAgain(s.url, creds);
    return creds;
  },
  async callAgain(url, creds) {
    const fields = {
      termId: '88888888',
      mchNo: creds.mchNo,
      appId: creds.appId,
      mchOrderNo: orderNo(),
      wayCode: 'WECHAT',
      authCode: paymentCode(),
      clientIp: '127.0.0.1',
    };
    const body = JSON.stringify({ ...fields, sign: independentSign(fields, creds.secret) });
    const j = (await (
      await fetch(`${url}/pay/api/1.0/auth2OpenId`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    ).json()) as Json;
    assert.equal(j.data?.returnCode, '000000', JSON.stringify(j));
  },
  filledTables: ['jucai_apps', 'jucai_channels', 'wechat_pay_merchants', 'idempotency_records'],
};
