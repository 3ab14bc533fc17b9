import { randomDigits, randomString } from '../../kernel/random.ts';
import { SANDBOX_BRIDGE_SECRET } from '../../upstream/unionpay.ts';
import { SANDBOX_WECHATPAY_KEY } from '../../upstream/wechatpay.ts';
import { createUnlessExists as once } from '../kit/demo.ts';
import type { DemoContext } from '../kit/front.ts';
import { signedRequest } from './admin/cli.ts';
import type { JucaiServices } from './services.ts';

// The seed's own example numbers, and WeChat Pay's documented example merchant.
const DEMO_ISV = 'ISV_I232767463';
const DEMO_MCH = 'MCH_I293975931';
const DEMO_APP = 'MCH_A698612520';
const DEMO_PAY_MCH = '1900000109';
const DEMO_PAY_APPID = 'wxd930ea5d5a258f4f';

/** Seeds an ISV, a merchant, an app and both channels (once) and prints a signed request per wayCode. */
export async function jucaiDemo(s: JucaiServices, ctx: DemoContext): Promise<string> {
  await once(() => s.organization.createIsv({ isvNo: DEMO_ISV, name: 'demo ISV' }));
  await once(() => s.organization.createMerchant({ isvNo: DEMO_ISV, mchNo: DEMO_MCH, name: 'demo merchant' }));
  await once(() => s.apps.create({ mchNo: DEMO_MCH, appId: DEMO_APP, secret: randomString(32), name: 'demo app' }));
  await once(() =>
    s.payMerchants.create({ mchId: DEMO_PAY_MCH, appid: DEMO_PAY_APPID, key: SANDBOX_WECHATPAY_KEY, name: 'demo WeChat Pay merchant' }),
  );
  await s.channels.set(DEMO_MCH, 'WECHAT', { wechatPayMchId: DEMO_PAY_MCH, subMchId: '1900000110', enabled: true });
  await s.channels.set(DEMO_MCH, 'UNIONPAY', {
    bridgeUrl: `${ctx.baseUrl}/sandbox/unionpay-bridge`,
    merchantNo: '898310048990001',
    secret: SANDBOX_BRIDGE_SECRET,
    enabled: true,
  });

  const request = async (fields: Record<string, string>) => {
    const body = await signedRequest(s, DEMO_APP, {
      version: '1.0',
      termId: '88888888',
      mchNo: DEMO_MCH,
      clientIp: '127.0.0.1',
      mchOrderNo: `DEMO${randomDigits(12)}`,
      ...fields,
    });
    return `curl -s -X POST ${ctx.baseUrl}/pay/api/1.0/auth2OpenId -H 'content-type: application/json' -d '${JSON.stringify(body)}'`;
  };
  return [
    '',
    `jucai (巨彩商服) demo: ISV ${DEMO_ISV}, merchant ${DEMO_MCH}, app ${DEMO_APP}; WECHAT through WeChat Pay merchant ${DEMO_PAY_MCH}, UNIONPAY through the sandbox bridge`,
    "  1. WeChat payment code → openid (the seed's example code; the same order again answers the same without a channel call):",
    `     ${await request({ wayCode: 'WECHAT', authCode: '134291427096188722' })}`,
    '  2. a fresh payment code of a named payer, to put in place of authCode (re-sign with kaifang jucai sign):',
    `     curl -s '${ctx.baseUrl}/sandbox/wechatpay/payment-code?payer=alice'`,
    `     npx kaifang jucai sign ${DEMO_APP} version=1.0 termId=88888888 mchNo=${DEMO_MCH} clientIp=127.0.0.1 wayCode=WECHAT mchOrderNo=ORDER0001 authCode=CODE${ctx.cliFlags}`,
    '  3. UnionPay user-auth code → user id:',
    `     ${await request({ wayCode: 'UNIONPAY', authCode: 'sandbox-alice-1', subAppid: 'UnionPay/1.0 CloudPay' })}`,
  ].join('\n');
}
