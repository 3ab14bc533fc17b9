import { randomString } from '../../kernel/random.ts';
import { createUnlessExists } from '../kit/demo.ts';
import type { DemoContext } from '../kit/front.ts';
import type { WeitingServices } from './services.ts';

// The seed's own examples: the official account of its authorize URL, the openid and device of its replies.
const DEMO_OFFICIAL_ACCOUNT = 'wx1b0d10b65d395395';
const DEMO_APPID = 'wtdemo0000000001';
const DEMO_OPENID = 'oKXUCj1Fp4fNnb99liSkslcM_D-X';
const DEMO_DEVICE = '17717463317';
const DEMO_TEMPLATE = 'demoPrizeNoticeTemplate';

/**
 * Seeds the platform's official account (when none is registered), a partner app whose logins may
 * return to this server, and a user with a bound device; prints the login flow and a call per endpoint.
 */
export async function weitingDemo(s: WeitingServices, ctx: DemoContext): Promise<string> {
  if ((await s.officialAccounts.list({ limit: 1 })).length === 0) {
    await s.officialAccounts.create({
      appid: DEMO_OFFICIAL_ACCOUNT,
      secret: randomString(32),
      name: '上海电信 (demo)',
      prizeTemplateId: DEMO_TEMPLATE,
    });
  }
  const host = new URL(ctx.baseUrl).host;
  await createUnlessExists(() =>
    s.apps.create({ appid: DEMO_APPID, secret: randomString(32), name: 'demo partner', allowedHosts: [host] }),
  );
  // The port may differ from the last demo start: the partner page must stay an allowed host.
  await s.apps.update(DEMO_APPID, { allowedHosts: [host], enabled: true });
  await s.users.importRow({ openid: DEMO_OPENID, nickname: 'demo user', deviceno: DEMO_DEVICE });
  const app = (await s.apps.findForSigning(DEMO_APPID))!;

  const base = ctx.baseUrl;
  const q = (path: string) => `'${base}${path}?access_token='"$TOKEN"`;
  return [
    '',
    `weiting (微厅) demo: partner app ${DEMO_APPID}, official account ${DEMO_OFFICIAL_ACCOUNT} (sandbox WeChat), user ${DEMO_OPENID}`,
    '  1. an access token (7200 s), kept in $TOKEN for the calls below:',
    `     TOKEN=$(curl -s '${base}/service/1.0/access/token?appid=${DEMO_APPID}&secret=${app.secret}' | sed -E 's/.*"data":"([^"]+)".*/\\1/'); echo "$TOKEN"`,
    '  2. WeChat login: ask for the authorize URL, open its "redirect" in a browser, pick a user, approve;',
    `     you land on ${base}/sandbox/partner with ?code=… (the sandbox stands in for the partner's page):`,
    `     curl -s -X POST ${q('/service/wxoauth/2.0/getBaseUrl')} -d 'state=${base}/sandbox/partner?from=demo'`,
    '  3. the code → the openid (5 minutes, once; put the code in place of CODE):',
    `     curl -s -X POST ${q('/service/wxoauth/2.0/getOpenidByCode')} -d code=CODE`,
    '  4. the user and their bound devices:',
    `     curl -s ${q('/service/1.0/user/info')}'&openid=${DEMO_OPENID}'`,
    '  5. a login report (binds the device if new):',
    `     curl -s -X POST ${q('/service/weekBind/create')} -H 'content-type: application/json' -d '{"openid":"${DEMO_OPENID}","deviceno":"13300000001","channel":"demo","from":"demo"}'`,
    '  6. a data-plan order (the same Idempotency-Key again gets the same order number):',
    `     curl -s -X POST ${q('/service/flowOrders/create')} -H 'Idempotency-Key: demo-order-1' -H 'content-type: application/json' -d '{"openid":"${DEMO_OPENID}","deviceno":"${DEMO_DEVICE}","traffic_package_name":"1GB 日包","channel":"demo","from":"demo"}'`,
    '  7. a prize notice, then the sandbox inbox it lands in (openids starting unsubscribed/invalid/limited are refused):',
    `     curl -s -X POST ${q('/service/1.0/sendPrizeNotice')} -d openid=${DEMO_OPENID} -d first=恭喜中奖 -d activity=双十一 -d prize=1GB流量 -d remark=感谢参与`,
    `     curl -s -H "Authorization: Bearer ${ctx.adminToken}" '${base}/admin/api/sandbox/template-messages?touser=${DEMO_OPENID}'`,
    '  8. an app ticket (5 minutes, once), then what it stands for (put it in place of TICKET):',
    `     npx kaifang weiting tickets issue --mobile ${DEMO_DEVICE}${ctx.cliFlags}`,
    `     curl -s ${q('/service/appOauthen/Ticket')}'&ticket=TICKET'`,
  ].join('\n');
}
