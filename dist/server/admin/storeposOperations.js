/** An agent as the admin API and the CLI show it; `key` only right after creation or rotation. */
export function presentAgent(agent, extra = {}) {
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
export function presentMiniProgram(app) {
    return {
        appid: app.appid,
        name: app.name,
        status: app.enabled ? 'enabled' : 'disabled',
        createdAt: new Date(app.createdAt).toISOString(),
        updatedAt: new Date(app.updatedAt).toISOString(),
    };
}
/** The storepos and WeChat mini-program operations, shared by the admin API and the CLI. */
export function storeposOperations(k) {
    const agents = k.storepos.agents;
    const apps = k.storepos.miniPrograms;
    const withGrants = async (agent) => presentAgent(agent, { appids: await apps.grantedTo(agent.id) });
    return {
        listAgents: async (limit, offset) => ({
            agents: (await agents.list({ ...(limit !== undefined ? { limit } : {}), ...(offset !== undefined ? { offset } : {}) })).map((a) => presentAgent(a)),
        }),
        createAgent: async (input) => presentAgent(await agents.create(input), { appids: [] }),
        showAgent: async (agentId) => withGrants(await agents.get(agentId)),
        setAgentEnabled: async (agentId, enabled) => withGrants(await agents.setEnabled(agentId, enabled)),
        updateAgent: async (agentId, changes) => withGrants(await agents.update(agentId, changes)),
        rotateKey: async (agentId, key) => withGrants(await agents.rotateKey(agentId, key)),
        grant: async (agentId, appid) => {
            const agent = await agents.get(agentId);
            await apps.grant(agent.id, appid);
            return withGrants(agent);
        },
        revoke: async (agentId, appid) => {
            const agent = await agents.get(agentId);
            await apps.revoke(agent.id, appid);
            return withGrants(agent);
        },
        listMiniapps: async (limit, offset) => ({
            miniapps: (await apps.list({ ...(limit !== undefined ? { limit } : {}), ...(offset !== undefined ? { offset } : {}) })).map(presentMiniProgram),
        }),
        createMiniapp: async (input) => presentMiniProgram(await apps.create(input)),
        showMiniapp: async (appid) => presentMiniProgram(await apps.get(appid)),
        setMiniappSecret: async (appid, secret) => presentMiniProgram(await apps.setSecret(appid, secret)),
        updateMiniapp: async (appid, changes) => presentMiniProgram(await apps.update(appid, changes)),
        setMiniappEnabled: async (appid, enabled) => presentMiniProgram(await apps.setEnabled(appid, enabled)),
    };
}
