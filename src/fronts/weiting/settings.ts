import { integer, optionalText, setting, type SettingsValues } from '../../kernel/settings.ts';

/** The 微厅 open platform's settings. */
export const weitingSettings = {
  weitingOfficialAccount: setting<string | undefined>(
    'KAIFANG_WEITING_OFFICIAL_ACCOUNT',
    undefined,
    optionalText,
    'weiting: the appid of the official account the platform is (its login broker and prize notices); unset = the only one registered.',
  ),
  weitingTokenDailyLimit: setting(
    'KAIFANG_WEITING_TOKEN_DAILY_LIMIT',
    2000,
    integer(1, 1_000_000),
    'weiting: default access tokens one app may get per China day (an app may have its own limit).',
  ),
  weitingNoticesPerOpenidPerDay: setting(
    'KAIFANG_WEITING_NOTICES_PER_OPENID_PER_DAY',
    10,
    integer(1, 10_000),
    'weiting: prize notices one app may send one openid per China day.',
  ),
};

export type WeitingSettings = SettingsValues<typeof weitingSettings>;
