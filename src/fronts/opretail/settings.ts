import { integer, setting, text, type SettingsValues } from '../../kernel/settings.ts';

/** The 万店掌 gateway's settings. */
export const opretailSettings = {
  opretailAid: setting('KAIFANG_OPRETAIL_AID', 'S107', text, "Opretail `_aid`: this deployment's platform system number."),
  opretailTimestampWindowS: setting(
    'KAIFANG_OPRETAIL_TIMESTAMP_WINDOW_S',
    600,
    integer(1, 86_400),
    'Opretail: how far `_timestamp` may be from now, seconds, either way; a signature is remembered for replay protection while its `_timestamp` is inside this window.',
  ),
  opretailRatePerSecond: setting(
    'KAIFANG_OPRETAIL_RATE_PER_SECOND',
    100,
    integer(1, 1_000_000),
    'Opretail: default calls per second per key (a key or method may set its own).',
  ),
  opretailRatePerDay: setting(
    'KAIFANG_OPRETAIL_RATE_PER_DAY',
    1_000_000,
    integer(1, 1_000_000_000),
    'Opretail: default calls per CST day per key (a key or method may set its own).',
  ),
};

export type OpretailSettings = SettingsValues<typeof opretailSettings>;
