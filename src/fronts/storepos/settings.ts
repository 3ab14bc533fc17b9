import { dottedVersion, integer, setting, type SettingsValues } from '../../kernel/settings.ts';

/** The 超赢 agent API's settings. */
export const storeposSettings = {
  storeposMinVersion: setting(
    'KAIFANG_STOREPOS_MIN_VERSION',
    '1.0',
    dottedVersion,
    'storepos: lowest caller `version` served; a lower one gets state VER. Dotted numbers, compared numerically (1.10 > 1.9).',
  ),
  storeposSmsValidMinutes: setting(
    'KAIFANG_STOREPOS_SMS_VALID_MINUTES',
    20,
    integer(1, 1440),
    'storepos: how long an SMS code stays valid, minutes (returned as `code` by GetMchSMSValid).',
  ),
  storeposSmsIntervalS: setting(
    'KAIFANG_STOREPOS_SMS_INTERVAL_S',
    60,
    integer(1, 86_400),
    'storepos: least time between two SMS codes sent to one mobile, seconds (all agents together).',
  ),
  storeposSmsPerMobilePerDay: setting(
    'KAIFANG_STOREPOS_SMS_PER_MOBILE_PER_DAY',
    10,
    integer(1, 1_000_000),
    'storepos: most SMS codes sent to one mobile per CST day (all agents together).',
  ),
  storeposSmsPerAgentPerDay: setting(
    'KAIFANG_STOREPOS_SMS_PER_AGENT_PER_DAY',
    10_000,
    integer(1, 1_000_000_000),
    'storepos: default most SMS codes one agent may send per CST day (an agent may have its own cap).',
  ),
};

export type StoreposSettings = SettingsValues<typeof storeposSettings>;
