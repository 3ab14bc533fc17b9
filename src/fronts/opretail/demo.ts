import { formatCompact } from '../../kernel/cst.ts';
import { opretail } from './signing.ts';
import type { DemoContext } from '../kit/front.ts';
import type { OpretailServices } from './services.ts';

const DEMO_KEY = 'S107-demo';
const DEMO_ENTERPRISE = 1;

/** Seeds the demo developer key (once) and prints a signed `open.gateway.authentication` call. */
export async function opretailDemo(s: OpretailServices, ctx: DemoContext): Promise<string> {
  let key = await s.keys.findForSigning(DEMO_KEY);
  if (!key) {
    await s.keys.create({
      applicationKey: DEMO_KEY,
      username: 'demo developer',
      enterpriseId: DEMO_ENTERPRISE,
      applicationId: s.settings.opretailAid,
    });
    key = (await s.keys.findForSigning(DEMO_KEY))!;
  }
  const params: Record<string, string> = {
    _aid: key.applicationId,
    _akey: key.applicationKey,
    _mt: 'open.gateway.authentication',
    _sm: 'md5',
    _requestMode: 'post',
    _version: 'v2',
    _timestamp: formatCompact(ctx.clock.now()),
    orgid: String(key.enterpriseId),
  };
  params._sig = opretail.sign(params, key.applicationSecret, 'md5');
  return [
    '',
    `opretail (万店掌) demo: developer key ${key.applicationKey}, enterprise ${key.enterpriseId}`,
    `  secret: ${key.applicationSecret}  (sign: MD5(secret + sorted name+value pairs + secret), uppercase)`,
    `  open.gateway.authentication (works once, within ${s.settings.opretailTimestampWindowS / 60} minutes: _timestamp and replay protection):`,
    `     curl -s -X POST ${ctx.baseUrl}/m.api -d '${new URLSearchParams(params).toString()}'`,
  ].join('\n');
}
