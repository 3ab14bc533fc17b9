import type { Core } from '../../core/platform.ts';
import { Agents } from './domain/agents.ts';
import { AgentGrants } from './domain/grants.ts';
import { MiniProgramLogin } from './domain/login.ts';
import { SmsCodes } from './domain/smsCodes.ts';
import type { MiniPrograms } from '../../core/wechat/miniPrograms.ts';
import type { StoreposSettings } from './settings.ts';

/** What the storepos front, its admin routes, its CLI and its demo use. */
export interface StoreposServices {
  readonly agents: Agents;
  readonly grants: AgentGrants;
  /** The platform's mini-programs (core/wechat), which agents are granted. */
  readonly miniPrograms: MiniPrograms;
  readonly sms: SmsCodes;
  readonly login: MiniProgramLogin;
  readonly settings: StoreposSettings;
}

export function createStoreposServices(core: Core, settings: StoreposSettings): StoreposServices {
  const miniPrograms = core.wechat.miniPrograms;
  const grants = new AgentGrants(core.db, core.clock, miniPrograms, core.cache);
  return {
    agents: new Agents(core),
    grants,
    miniPrograms,
    // Upstreams are read at call time, so a test or a reconfiguration that swaps one is seen.
    sms: new SmsCodes(core.state, core.clock, () => core.upstreams.sms, {
      validMinutes: settings.storeposSmsValidMinutes,
      intervalS: settings.storeposSmsIntervalS,
      perMobilePerDay: settings.storeposSmsPerMobilePerDay,
      perAgentPerDay: settings.storeposSmsPerAgentPerDay,
    }),
    login: new MiniProgramLogin(miniPrograms, grants, () => core.upstreams.wechatLogin),
    settings,
  };
}
