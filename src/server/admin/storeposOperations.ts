import type { Agent, AgentWithKey, NewAgent } from '../../core/storepos/agents.ts';
import type { MiniProgram } from '../../core/storepos/miniPrograms.ts';
import type { Kaifang } from '../kaifang.ts';

/** An agent as the admin API and the CLI show it; `key` only right after creation or rotation. */
export function presentAgent(agent: Agent | AgentWithKey, extra: { appids?: string[] } = {}) {
  return {
    agentId: agent.agentId,
    name: agent.name,
    status: agent.enabled ? 'enabled' : 'disabled',
    smsDailyCap: agent.smsDailyCap,
    ...('key' in agent ? { key: agent.key } : {}),
    ...(extra.appids ? { appids: extra.appids } : {}),
    createdAt: new Date(agent.createdAt).toISOString(),
    updatedAt: new Date(agent.updatedAt).toISOString(),
  };
}

/** A mini-program as shown; its secret never is. */
export function presentMiniProgram(app: MiniProgram) {
  return {
    appid: app.appid,
    name: app.name,
    status: app.enabled ? 'enabled' : 'disabled',
    createdAt: new Date(app.createdAt).toISOString(),
    updatedAt: new Date(app.updatedAt).toISOString(),
  };
}

/** The storepos and WeChat mini-program operations, shared by the admin API and the CLI. */
export function storeposOperations(k: Kaifang) {
  const agents = k.storepos.agents;
  const apps = k.storepos.miniPrograms;
  const withGrants = async (agent: Agent | AgentWithKey) => presentAgent(agent, { appids: await apps.grantedTo(agent.id) });
  return {
    listAgents: async (limit?: number, offset?: number) => ({
      agents: (await agents.list({ ...(limit !== undefined ? { limit } : {}), ...(offset !== undefined ? { offset } : {}) })).map((a) => presentAgent(a)),
    }),
    createAgent: async (input: NewAgent) => presentAgent(await agents.create(input), { appids: [] }),
    showAgent: async (agentId: string) => withGrants(await agents.get(agentId)),
    setAgentEnabled: async (agentId: string, enabled: boolean) => withGrants(await agents.setEnabled(agentId, enabled)),
    updateAgent: async (agentId: string, changes: { name?: string; smsDailyCap?: number | null }) => withGrants(await agents.update(agentId, changes)),
    rotateKey: async (agentId: string, key?: string) => withGrants(await agents.rotateKey(agentId, key)),
    grant: async (agentId: string, appid: string) => {
      const agent = await agents.get(agentId);
      await apps.grant(agent.id, appid);
      return withGrants(agent);
    },
    revoke: async (agentId: string, appid: string) => {
      const agent = await agents.get(agentId);
      await apps.revoke(agent.id, appid);
      return withGrants(agent);
    },

    listMiniapps: async (limit?: number, offset?: number) => ({
      miniapps: (await apps.list({ ...(limit !== undefined ? { limit } : {}), ...(offset !== undefined ? { offset } : {}) })).map(presentMiniProgram),
    }),
    createMiniapp: async (input: { appid: string; secret: string; name?: string }) => presentMiniProgram(await apps.create(input)),
    showMiniapp: async (appid: string) => presentMiniProgram(await apps.get(appid)),
    setMiniappSecret: async (appid: string, secret: string) => presentMiniProgram(await apps.setSecret(appid, secret)),
    updateMiniapp: async (appid: string, changes: { name?: string }) => presentMiniProgram(await apps.update(appid, changes)),
    setMiniappEnabled: async (appid: string, enabled: boolean) => presentMiniProgram(await apps.setEnabled(appid, enabled)),
  };
}
