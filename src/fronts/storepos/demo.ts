import { NotFound } from '../../kernel/errors.ts';
import { randomHex, randomString } from '../../kernel/random.ts';
import type { DemoContext } from '../kit/front.ts';
import { signedBody } from './admin/cli.ts';
import type { StoreposServices } from './services.ts';

const DEMO_AGENT = '13000000000000000'; // the seed's example agent_id
const DEMO_APPID = 'wx4da448cd29920000'; // the seed's example appid
const DEMO_MOBILE = '13800000000';

/** Seeds the demo agent and mini-program (once) and prints signed requests for the three endpoints. */
export async function storeposDemo(s: StoreposServices, ctx: DemoContext): Promise<string> {
  if (!(await s.agents.findForSigning(DEMO_AGENT))) {
    await s.agents.create({ agentId: DEMO_AGENT, name: 'demo agent', key: randomString(32) });
  }
  try {
    await s.miniPrograms.get(DEMO_APPID);
  } catch (err) {
    if (!(err instanceof NotFound)) throw err;
    await s.miniPrograms.create({ appid: DEMO_APPID, secret: randomHex(16), name: 'demo mini-program' });
  }
  const agent = await s.agents.get(DEMO_AGENT);
  await s.grants.grant(agent.id, DEMO_APPID);

  const curl = async (path: string, params: Record<string, string>) =>
    `curl -s -X POST ${ctx.baseUrl}${path} -d '${await signedBody(s, DEMO_AGENT, params)}'`;
  return [
    '',
    `storepos (超赢) demo: agent_id ${DEMO_AGENT}, mini-program ${DEMO_APPID} (sandbox upstreams)`,
    '  1. send an SMS code:',
    `     ${await curl('/Mch/GetMchSMSValid', { mobile: DEMO_MOBILE })}`,
    '  2. read it from the sandbox outbox:',
    `     curl -s -H "Authorization: Bearer ${ctx.adminToken}" '${ctx.baseUrl}/admin/api/sandbox/sms?mobile=${DEMO_MOBILE}'`,
    '  3. check it (put the 6 digits in place of CODE; the body is re-signed for you):',
    `     curl -s -X POST ${ctx.baseUrl}/Mch/CheckMchSMSValid -d "$(npx kaifang storepos sign ${DEMO_AGENT} mobile=${DEMO_MOBILE} valid_code=CODE${ctx.cliFlags})"`,
    '  4. mini-program login (sandbox js_code "sandbox-<user>-<anything unique>"; each works once):',
    `     ${await curl('/Open/WXA_Code2Session', { appid: DEMO_APPID, js_code: `sandbox-alice-${randomHex(4)}` })}`,
  ].join('\n');
}
