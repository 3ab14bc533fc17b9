import { integer, setting, type SettingsValues } from '../../kernel/settings.ts';

/** The 巨彩 payment identity API's settings. */
export const jucaiSettings = {
  jucaiMchRatePerSecond: setting(
    'KAIFANG_JUCAI_MCH_RATE_PER_SECOND',
    100,
    integer(1, 1_000_000),
    'jucai: default calls per second for one merchant, all its apps together (a merchant may have its own).',
  ),
  jucaiAppRatePerSecond: setting(
    'KAIFANG_JUCAI_APP_RATE_PER_SECOND',
    50,
    integer(1, 1_000_000),
    'jucai: default calls per second for one app (a merchant may set its own for its apps).',
  ),
  jucaiIdempotencyHours: setting(
    'KAIFANG_JUCAI_IDEMPOTENCY_HOURS',
    24,
    integer(1, 24 * 30),
    'jucai: how long the answer for a merchant order number is kept: the same mchOrderNo and authCode within it gets the first answer with no channel call; another authCode gets 409.',
  ),
};

export type JucaiSettings = SettingsValues<typeof jucaiSettings>;
