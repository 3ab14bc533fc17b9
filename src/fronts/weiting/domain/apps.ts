import type { Selectable } from 'kysely';
import type { WeitingAppTable } from '../tables.ts';
import { SealedCredentials, type CredentialDeps, type CredentialSpec } from '../../../core/credentials.ts';
import { check, checkInteger, checkText } from '../../../kernel/validation.ts';
import { randomHex } from '../../../kernel/random.ts';

/** A partner app of the 微厅 platform: its `appid`, sealed `secret`, where logins may return, its daily token limit. */
export interface WeitingApp {
  id: number;
  appid: string;
  name: string;
  enabled: boolean;
  /** Host names the login broker may send users back to (exact, or `*.example.com` for its subdomains). */
  allowedHosts: string[];
  /** Access tokens per CST day; null = the deployment default. */
  dailyTokenLimit: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface WeitingAppWithSecret extends WeitingApp {
  secret: string;
}

export const WEITING_APPID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const HOST = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*(:\d{1,5})?$/;

const fromRow = (row: Selectable<WeitingAppTable>): WeitingApp => ({
  id: Number(row.id),
  appid: row.appid,
  name: row.name,
  enabled: row.enabled === 1,
  allowedHosts: JSON.parse(row.allowed_hosts) as string[],
  dailyTokenLimit: row.daily_token_limit,
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
});

const SPEC: CredentialSpec<'weiting_apps', WeitingApp, WeitingAppWithSecret> = {
  table: 'weiting_apps',
  idColumn: 'appid',
  searchColumns: ['appid', 'name'],
  // The records partners made with the app: kept unless the operator deletes them with it.
  children: [
    { table: 'weiting_notices', column: 'app_ref', label: 'notices' },
    { table: 'weiting_reports', column: 'app_ref', label: 'reports' },
  ],
  secretColumn: 'secret_sealed',
  what: 'app',
  label: 'app',
  idPattern: WEITING_APPID_PATTERN,
  secret: { param: 'secret', generatedLength: 32, minLength: 16, importMinLength: 1, maxLength: 128 },
  fromRow,
  withSecret: (app, secret) => ({ ...app, secret }),
  enabled: (app) => app.enabled,
};

/**
 * Suffixes under which anyone registers names (the public suffixes a partner's wildcard is most
 * likely to hit in this platform's market): `*.com.cn` would allow every company in China. A
 * wildcard must name a registrable domain: at least two labels, the last a TLD of letters, and not
 * one of these.
 */
const PUBLIC_SUFFIXES = new Set([
  ...['com', 'net', 'org', 'gov', 'edu', 'ac', 'mil'].map((s) => `${s}.cn`),
  ...['bj', 'sh', 'tj', 'cq', 'he', 'sx', 'nm', 'ln', 'jl', 'hl', 'js', 'zj', 'ah', 'fj', 'jx', 'sd', 'ha', 'hb', 'hn', 'gd', 'gx'].map(
    (s) => `${s}.cn`,
  ),
  ...['hi', 'sc', 'gz', 'yn', 'xz', 'sn', 'gs', 'qh', 'nx', 'xj', 'tw', 'hk', 'mo'].map((s) => `${s}.cn`),
  ...['com', 'net', 'org', 'edu', 'gov', 'idv'].flatMap((s) => [`${s}.hk`, `${s}.tw`, `${s}.mo`, `${s}.sg`, `${s}.au`, `${s}.my`]),
  ...['co.uk', 'org.uk', 'ac.uk', 'gov.uk', 'co.jp', 'ne.jp', 'or.jp', 'ac.jp', 'co.kr', 'or.kr', 'co.nz', 'com.br', 'com.mx'],
  ...['github.io', 'gitee.io', 'vercel.app', 'netlify.app', 'pages.dev', 'herokuapp.com', 'appspot.com', 'cloudfront.net'],
]);

/** Why a host entry cannot be allowed, or undefined when it can. */
function hostProblem(host: string): string | undefined {
  if (!HOST.test(host)) return 'is not a host name';
  const port = /:(\d+)$/.exec(host)?.[1];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535 || port.startsWith('0'))) return 'has a port outside 1–65535';
  if (host.startsWith('*.')) {
    const domain = host.slice(2).replace(/:\d+$/, '');
    const labels = domain.split('.');
    if (labels.length < 2 || !/^[a-z]{2,63}$/.test(labels.at(-1)!) || PUBLIC_SUFFIXES.has(domain))
      return 'is a wildcard over a public suffix: name a registrable domain (*.example.com, not *.com or *.com.cn)';
  }
  return undefined;
}

function checkHosts(hosts: unknown): string[] {
  check('allowedHosts', Array.isArray(hosts) && hosts.length <= 50, 'allowedHosts must be a list of at most 50 host names');
  return (hosts as unknown[]).map((h) => {
    const host = String(h).toLowerCase();
    const problem = typeof h === 'string' ? hostProblem(host) : 'is not a host name';
    check(
      'allowedHosts',
      problem === undefined,
      `allowedHosts: ${JSON.stringify(String(h).slice(0, 80))} ${problem} (e.g. partner.example.com, *.example.com, 127.0.0.1:8080)`,
    );
    return host;
  });
}

/** Partner apps, on the shared sealed-credential base. */
export class WeitingApps extends SealedCredentials<'weiting_apps', WeitingApp, WeitingAppWithSecret> {
  constructor(deps: CredentialDeps) {
    super(deps, SPEC);
  }

  /** Creates an app (`wt` and 16 hex digits), or imports one (`appid`/`secret` given); `warning` flags a short imported secret. */
  async create(input: {
    name: string;
    allowedHosts?: string[];
    dailyTokenLimit?: number | null;
    appid?: string;
    secret?: string;
  }): Promise<WeitingAppWithSecret & { warning: string | undefined }> {
    checkText('name', input.name, 100);
    if (input.appid !== undefined) check('appid', WEITING_APPID_PATTERN.test(input.appid), 'appid must be 1–64 letters, digits, _ or -');
    if (input.dailyTokenLimit != null) checkInteger('dailyTokenLimit', input.dailyTokenLimit, 1, 1_000_000);
    const hosts = checkHosts(input.allowedHosts ?? []);
    const appid = input.appid ?? `wt${randomHex(8)}`;
    const now = this.clock.now();
    const { created, warning } = await this.insert(
      appid,
      {
        name: input.name,
        allowed_hosts: JSON.stringify(hosts),
        daily_token_limit: input.dailyTokenLimit ?? null,
        enabled: 1,
        created_at: now,
        updated_at: now,
      },
      input.secret === undefined ? {} : { secret: input.secret, imported: true },
    );
    return { ...created, warning };
  }

  update(
    appid: string,
    changes: { name?: string; allowedHosts?: string[]; dailyTokenLimit?: number | null; enabled?: boolean },
  ): Promise<WeitingApp> {
    if (changes.name !== undefined) checkText('name', changes.name, 100);
    if (changes.dailyTokenLimit != null) checkInteger('dailyTokenLimit', changes.dailyTokenLimit, 1, 1_000_000);
    return this.updateColumns(appid, {
      ...(changes.name !== undefined ? { name: changes.name } : {}),
      ...(changes.allowedHosts !== undefined ? { allowed_hosts: JSON.stringify(checkHosts(changes.allowedHosts)) } : {}),
      ...(changes.dailyTokenLimit !== undefined ? { daily_token_limit: changes.dailyTokenLimit } : {}),
      ...(changes.enabled !== undefined ? { enabled: changes.enabled ? 1 : 0 } : {}),
      updated_at: this.clock.now(),
    });
  }
}

/** True when `host` (lower case, with its port when not the default) is one of the app's allowed hosts. */
export function hostAllowed(app: WeitingApp, host: string): boolean {
  return app.allowedHosts.some((allowed) =>
    allowed.startsWith('*.') ? host.endsWith(allowed.slice(1)) && host.length > allowed.length - 1 : allowed === host,
  );
}
