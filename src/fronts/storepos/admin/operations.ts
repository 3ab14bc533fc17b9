import type { Agent, AgentWithKey, NewAgent } from '../domain/agents.ts';
import type { ListOptions } from '../../../core/credentials.ts';
import { listReply } from '../../kit/lists.ts';
import { presentAgent, type AgentView } from './present.ts';
import type { StoreposServices } from '../services.ts';

/** The storepos agent operations, shared by the admin API and the CLI. */
export function storeposOperations(s: StoreposServices) {
  const { agents, grants } = s;
  const withGrants = async (agent: Agent | AgentWithKey) => presentAgent(agent, { appids: await grants.grantedTo(agent.id) });
  return {
    listAgents: async (page: ListOptions = {}) => {
      const [list, total] = await Promise.all([agents.list(page), agents.count(page)]);
      return listReply(
        'agents',
        list.map((a) => presentAgent(a)),
        total,
        page,
      );
    },
    /** Creates (or, with agentId/key, imports) an agent; `warnings` when an imported key is weak. */
    createAgent: async (input: NewAgent): Promise<AgentView & { warnings?: string[] }> => {
      const created = await agents.create(input);
      return { ...presentAgent(created, { appids: [] }), ...(created.warning ? { warnings: [created.warning] } : {}) };
    },
    showAgent: async (agentId: string) => withGrants(await agents.get(agentId)),
    setAgentEnabled: async (agentId: string, enabled: boolean) => withGrants(await agents.setEnabled(agentId, enabled)),
    updateAgent: async (agentId: string, changes: { name?: string; smsDailyCap?: number | null }) =>
      withGrants(await agents.update(agentId, changes)),
    /** A new random key (or, deprecated, the given one), shown once as `secret`. */
    rotateSecret: async (agentId: string, key?: string) => withGrants(await agents.rotateSecret(agentId, key)),
    setSecret: async (agentId: string, secret: string) => withGrants(await agents.rotateSecret(agentId, secret)),
    /** Deletes the agent with its mini-program grants, in one transaction. */
    deleteAgent: async (agentId: string) => {
      const removed = await agents.remove(agentId);
      return { agentId, deleted: true, grants: removed.grants ?? 0 };
    },
    grant: async (agentId: string, appid: string) => {
      const agent = await agents.get(agentId);
      await grants.grant(agent.id, appid);
      return withGrants(agent);
    },
    revoke: async (agentId: string, appid: string) => {
      const agent = await agents.get(agentId);
      await grants.revoke(agent.id, appid);
      return withGrants(agent);
    },
  };
}
export type StoreposOperations = ReturnType<typeof storeposOperations>;
