import { Agents } from './agents.js';
import { MiniPrograms } from './miniPrograms.js';
import { SmsCodes } from './smsCodes.js';
import { MiniProgramLogin } from './login.js';
export function createStoreposServices(deps) {
    const { db, box, clock, state, config, upstreams } = deps;
    const cache = { size: config.cacheSize, ttlMs: config.cacheTtlMs };
    const miniPrograms = new MiniPrograms(db, box, clock, cache);
    return {
        agents: new Agents(db, box, clock, cache),
        miniPrograms,
        // Upstreams are read at call time, so a test or a reconfiguration that swaps one is seen.
        sms: new SmsCodes(state, clock, () => upstreams.sms, {
            validMinutes: config.storeposSmsValidMinutes,
            intervalS: config.storeposSmsIntervalS,
            perMobilePerDay: config.storeposSmsPerMobilePerDay,
            perAgentPerDay: config.storeposSmsPerAgentPerDay,
        }),
        login: new MiniProgramLogin(miniPrograms, () => upstreams.wechatLogin),
    };
}
