import assert from 'node:assert/strict';
import type { FrontFixture } from '../../../../test/helpers/frontFixtures.ts';
import { independentSign } from './helpers.ts';

type Json = Record<string, any>;

/** 超赢 for the platform's tests: an agent, a mini-program and its grant, and an SMS code sent. */
export const fixture: FrontFixture<{ id: string; key: string }> = {
  async fill(s) {
    const ok = async (path: string, body?: unknown, method?: string) => {
      const r = await s.admin(path, { ...(body === undefined ? {} : { body }), ...(method ? { method } : {}) });
      assert.ok(r.status < 300, `${path}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body as Json;
    };
    const agent = await ok('/storepos/agents', { name: 'agent' });
    await ok('/wechat/miniapps', { appid: 'wx4da448cd29920000', secret: 'mini-secret-0123456789abcdef0123', name: 'mini' });
    await ok(`/storepos/agents/${agent.agentId}/grants/wx4da448cd29920000`, undefined, 'PUT');
    const creds = { id: agent.agentId as string, key: agent.secret as string };
    await fixture.callAgain(s.url, creds);
    return creds;
  },
  async callAgain(url, creds) {
    const sms = { agent_id: creds.id, pid: 'copy', version: '1.0', mobile: `138${String(Date.now() % 1e8).padStart(8, '0')}` };
    const body = new URLSearchParams({ ...sms, sign: independentSign(sms, creds.key) });
    const r = (await (
      await fetch(`${url}/Mch/GetMchSMSValid`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body })
    ).json()) as Json;
    assert.equal(`${r.state} ${r.code}`, 'SUCCESS 20', JSON.stringify(r));
  },
  filledTables: ['storepos_agents', 'storepos_grants', 'wechat_miniapps'],
};
