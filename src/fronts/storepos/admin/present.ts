import type { Agent, AgentWithKey } from '../domain/agents.ts';

/** An agent as the admin API and the CLI show it; its key, as `secret`, only right after creation or rotation. */
export function presentAgent(agent: Agent | AgentWithKey, extra: { appids?: string[] } = {}) {
  return {
    agentId: agent.agentId,
    name: agent.name,
    status: agent.enabled ? 'enabled' : 'disabled',
    smsDailyCap: agent.smsDailyCap,
    ...('key' in agent ? { secret: agent.key } : {}),
    ...(extra.appids ? { appids: extra.appids } : {}),
    createdAt: new Date(agent.createdAt).toISOString(),
    updatedAt: new Date(agent.updatedAt).toISOString(),
  };
}
export type AgentView = ReturnType<typeof presentAgent>;
