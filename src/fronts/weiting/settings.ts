import { integer, oneOf, optionalText, setting, type SettingsValues } from '../../kernel/settings.ts';

/** The 微厅 open platform's settings. */
export const weitingSettings = {
  weitingOfficialAccount: setting<string | undefined>(
    'KAIFANG_WEITING_OFFICIAL_ACCOUNT',
    undefined,
    optionalText,
    'weiting: the appid of the official account the platform is (its login broker and prize notices); unset = the only one registered.',
  ),
  weitingWechatTokenSource: setting(
    'KAIFANG_WEITING_WECHAT_TOKEN_SOURCE',
    'stable' as 'stable' | 'token',
    oneOf('stable', 'token'),
    "weiting: where the official account's access token comes from: stable = WeChat's cgi-bin/stable_token (force_refresh false: another backend of the same account does not end kaifang's token, nor kaifang theirs), token = cgi-bin/token (each fetch, anyone's, ends the previous token 5 minutes later).",
  ),
  weitingTokenDailyLimit: setting(
    'KAIFANG_WEITING_TOKEN_DAILY_LIMIT',
    2000,
    integer(1, 1_000_000),
    'weiting: default access tokens one app may get per China day (an app may have its own limit).',
  ),
  weitingTokenTtlS: setting(
    'KAIFANG_WEITING_TOKEN_TTL_S',
    7200,
    integer(60, 86_400),
    "weiting: how long an access token is valid, seconds (the seed's 7200: partners cache it that long).",
  ),
  weitingTokenOverlapS: setting(
    'KAIFANG_WEITING_TOKEN_OVERLAP_S',
    300,
    integer(0, 3600),
    'weiting: how long the previous access token keeps working once a new one is issued, seconds.',
  ),
  weitingLoginStateTtlS: setting(
    'KAIFANG_WEITING_LOGIN_STATE_TTL_S',
    600,
    integer(60, 3600),
    'weiting: how long a login link from getBaseUrl may take to come back from WeChat, seconds.',
  ),
  weitingLoginCodeTtlS: setting(
    'KAIFANG_WEITING_LOGIN_CODE_TTL_S',
    300,
    integer(30, 3600),
    'weiting: how long the platform code handed to the partner after a login stays redeemable (once), seconds.',
  ),
  weitingTicketTtlS: setting(
    'KAIFANG_WEITING_TICKET_TTL_S',
    300,
    integer(30, 3600),
    'weiting: how long an app ticket stays redeemable (once), seconds.',
  ),
  weitingNoticesPerOpenidPerDay: setting(
    'KAIFANG_WEITING_NOTICES_PER_OPENID_PER_DAY',
    10,
    integer(1, 10_000),
    'weiting: prize notices one app may send one openid per China day.',
  ),
};

export type WeitingSettings = SettingsValues<typeof weitingSettings>;
