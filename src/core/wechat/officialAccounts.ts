import type { Selectable } from 'kysely';
import type { WechatOfficialAccountTable } from '../../store/schema.ts';
import type { TemplateMessage, WechatOfficialAccountApi } from '../../upstream/types.ts';
import type { WechatStableTokenApi } from '../../upstream/wechat.ts';
import { SealedCredentials, type CredentialDeps, type CredentialSpec } from '../credentials.ts';
import { UpstreamRejected } from '../../kernel/errors.ts';
import { check, checkText } from '../../kernel/validation.ts';
import type { UpstreamTokens } from '../upstreamTokens.ts';
import { WECHAT_APPID_PATTERN, WECHAT_APP_SECRET } from './miniPrograms.ts';

/**
 * Which template keyword carries each of a prize notice's fields. The default is WeChat's
 * classic layout: `first`, `keyword1` (activity), `keyword2` (prize), `remark`.
 */
export interface PrizeKeywords {
  first: string;
  activity: string;
  prize: string;
  remark: string;
}

/**
 * Where the official account's access token comes from: `stable` is WeChat's `cgi-bin/stable_token`
 * (normal mode, kept apart from `cgi-bin/token`, so another backend of the same account does not
 * end kaifang's token, nor kaifang theirs); `token` is the classic `cgi-bin/token`, where each fetch
 * by anyone ends the previous token 5 minutes later.
 */
export type TokenSource = 'stable' | 'token';

/**
 * WeChat's stable endpoint hands every caller the same token until its last 5 minutes, then a new
 * one: refreshing 4 minutes before expiry falls inside that window, so a refresh always gets a new
 * token (refreshing at 5 minutes could get the old one back, and ask again on every call).
 */
const STABLE_REFRESH_MARGIN_MS = 4 * 60_000;

export const DEFAULT_PRIZE_KEYWORDS: PrizeKeywords = { first: 'first', activity: 'keyword1', prize: 'keyword2', remark: 'remark' };

/** A WeChat official account (公众号) whose AppSecret the platform holds, with its prize-notice template. */
export interface OfficialAccount {
  id: number;
  appid: string;
  name: string;
  enabled: boolean;
  prizeTemplateId: string | null;
  prizeKeywords: PrizeKeywords;
  createdAt: number;
  updatedAt: number;
}

export interface OfficialAccountWithSecret extends OfficialAccount {
  secret: string;
}

function fromRow(row: Selectable<WechatOfficialAccountTable>): OfficialAccount {
  return {
    id: Number(row.id),
    appid: row.appid,
    name: row.name,
    enabled: row.enabled === 1,
    prizeTemplateId: row.prize_template_id,
    prizeKeywords: row.prize_keywords ? (JSON.parse(row.prize_keywords) as PrizeKeywords) : DEFAULT_PRIZE_KEYWORDS,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

const SPEC: CredentialSpec<'wechat_official_accounts', OfficialAccount, OfficialAccountWithSecret> = {
  table: 'wechat_official_accounts',
  idColumn: 'appid',
  searchColumns: ['appid', 'name'],
  secretColumn: 'secret_sealed',
  what: 'officialAccount',
  label: 'official account',
  idPattern: WECHAT_APPID_PATTERN,
  secret: WECHAT_APP_SECRET,
  fromRow,
  withSecret: (account, secret) => ({ ...account, secret }),
  enabled: (account) => account.enabled,
};

const KEYWORD = /^[A-Za-z0-9_]{1,32}$/;

function validate(input: { appid?: string; name?: string; prizeTemplateId?: string | null; prizeKeywords?: Partial<PrizeKeywords> }): void {
  if (input.appid !== undefined)
    check('appid', WECHAT_APPID_PATTERN.test(input.appid), 'appid must be "wx" followed by 16 letters or digits');
  if (input.name !== undefined) checkText('name', input.name, 100);
  if (input.prizeTemplateId != null)
    check(
      'prizeTemplateId',
      /^[A-Za-z0-9_-]{1,64}$/.test(input.prizeTemplateId),
      'prizeTemplateId must be the template id of mp.weixin.qq.com (1–64 letters, digits, _ or -)',
    );
  for (const [field, keyword] of Object.entries(input.prizeKeywords ?? {})) {
    check(
      `prizeKeywords.${field}`,
      ['first', 'activity', 'prize', 'remark'].includes(field),
      `prizeKeywords has no field ${field}: first, activity, prize, remark`,
    );
    check(
      `prizeKeywords.${field}`,
      typeof keyword === 'string' && KEYWORD.test(keyword),
      `prizeKeywords.${field} must be a template keyword name such as keyword1`,
    );
  }
}

/**
 * The official accounts the platform holds AppSecrets for. Their access token is one per account
 * for every kaifang process (the core's UpstreamTokens): fetched once, refreshed before expiry by
 * one process, and once more when WeChat calls it invalid (40001/42001), then the call is retried once.
 */
export class OfficialAccounts extends SealedCredentials<'wechat_official_accounts', OfficialAccount, OfficialAccountWithSecret> {
  constructor(
    deps: CredentialDeps,
    private readonly tokens: UpstreamTokens,
    private readonly api: () => WechatOfficialAccountApi,
  ) {
    super(deps, SPEC);
  }

  async create(input: {
    appid: string;
    secret: string;
    name?: string;
    prizeTemplateId?: string | null;
    prizeKeywords?: Partial<PrizeKeywords>;
  }): Promise<OfficialAccount> {
    check('appid', typeof input.appid === 'string' && input.appid !== '', 'appid is required');
    const name = input.name ?? input.appid;
    validate({ ...input, name });
    const now = this.clock.now();
    const { created } = await this.insert(
      input.appid,
      {
        name,
        enabled: 1,
        prize_template_id: input.prizeTemplateId ?? null,
        prize_keywords: JSON.stringify({ ...DEFAULT_PRIZE_KEYWORDS, ...input.prizeKeywords }),
        created_at: now,
        updated_at: now,
      },
      { secret: input.secret },
    );
    const { secret: _secret, ...account } = created;
    return account;
  }

  async update(
    appid: string,
    changes: { name?: string; prizeTemplateId?: string | null; prizeKeywords?: Partial<PrizeKeywords> },
  ): Promise<OfficialAccount> {
    validate(changes);
    const current = await this.get(appid);
    return this.updateColumns(appid, {
      ...(changes.name !== undefined ? { name: changes.name } : {}),
      ...(changes.prizeTemplateId !== undefined ? { prize_template_id: changes.prizeTemplateId } : {}),
      ...(changes.prizeKeywords !== undefined
        ? { prize_keywords: JSON.stringify({ ...current.prizeKeywords, ...changes.prizeKeywords }) }
        : {}),
      updated_at: this.clock.now(),
    });
  }

  /** Replaces the AppSecret (after a reset on mp.weixin.qq.com); the shared token made with the old one is dropped. */
  async setSecret(appid: string, secret: string): Promise<OfficialAccount> {
    check('secret', typeof secret === 'string' && secret !== '', 'secret is required');
    const { secret: _secret, ...account } = await this.rotateSecret(appid, secret);
    for (const source of ['stable', 'token'] as const) await this.tokens.forget(tokenName(appid, source));
    return account;
  }

  /**
   * Sends a template message from the account with the shared access token (from `source`); when
   * WeChat says the token is invalid or expired, the token is replaced (once, for every process) and
   * the send retried once. Other refusals and outages are thrown as they are.
   */
  async sendTemplate(
    account: OfficialAccountWithSecret,
    message: TemplateMessage,
    source: TokenSource = 'token',
  ): Promise<{ msgid: string }> {
    const api = this.api();
    const stable = source === 'stable' && hasStableToken(api);
    const fetchToken = stable
      ? () => api.fetchStableToken(account.appid, account.secret)
      : () => api.fetchToken(account.appid, account.secret);
    const name = tokenName(account.appid, stable ? 'stable' : 'token');
    const token = await this.tokens.get(name, fetchToken, stable ? STABLE_REFRESH_MARGIN_MS : undefined);
    try {
      return await api.sendTemplate(token, message);
    } catch (err) {
      if (!(err instanceof UpstreamRejected && err.reason === 'token-invalid')) throw err;
      const fresh = await this.tokens.replaceInvalid(name, token, fetchToken);
      return api.sendTemplate(fresh, message);
    }
  }
}

const hasStableToken = (api: WechatOfficialAccountApi): api is WechatOfficialAccountApi & WechatStableTokenApi =>
  typeof (api as Partial<WechatStableTokenApi>).fetchStableToken === 'function';

/** The shared token's name: the two sources' tokens are different tokens. */
const tokenName = (appid: string, source: TokenSource) => (source === 'stable' ? `wechat-oa-stable:${appid}` : `wechat-oa:${appid}`);
