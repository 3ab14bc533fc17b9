import type { Clock } from '../clock.ts';
import type { SecretBox } from '../secrets.ts';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.ts';
import type { StateStore } from '../../state/state.ts';
import type { Config } from '../../server/config.ts';
import type { Upstreams } from '../../upstream/index.ts';
import { Agents } from './agents.ts';
import { MiniPrograms } from './miniPrograms.ts';
import { SmsCodes } from './smsCodes.ts';
import { MiniProgramLogin } from './login.ts';

/** The core services behind the storepos (超赢) front. */
export interface StoreposServices {
  readonly agents: Agents;
  readonly miniPrograms: MiniPrograms;
  readonly sms: SmsCodes;
  readonly login: MiniProgramLogin;
}

export function createStoreposServices(deps: {
  db: Kysely<Database>;
  box: SecretBox;
  clock: Clock;
  state: StateStore;
  config: Config;
  upstreams: Upstreams;
}): StoreposServices {
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
