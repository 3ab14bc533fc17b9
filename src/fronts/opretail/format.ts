import { formatDateTime } from '../../kernel/cst.ts';
import type { MethodView } from './present.ts';
import { lines, SHOWN_ONCE, table } from '../kit/cli.ts';
import type { GrantsView, KeyView } from './present.ts';

/** Human output of `kaifang opretail …`: aligned lines for one thing, a table for many. */

const KEYTYPE: Record<number, string> = { 1: 'formal', 2: 'test' };
/** The human text shows times as China Standard Time, as operators of these platforms read them. */
const cst = (iso: string) => formatDateTime(Date.parse(iso));

const IFEXPIRE: Record<number, string> = { 1: 'never expires', 2: 'expired', 3: 'in service' };
const SWITCH: Record<string, string> = { '1': 'enabled', '2': 'disabled' };
const DEVELOPER: Record<number, string> = { 1: 'administrator', 2: 'normal', 3: 'vendor' };

export function formatKey(key: KeyView): string {
  const out = lines([
    ['applicationKey', key.applicationKey],
    ...('secret' in key ? ([['secret', key.secret]] as [string, unknown][]) : []),
    ['id', key.id],
    ['username', key.username],
    ['applicationId', key.applicationId],
    ['enterpriseId', key.enterpriseId],
    ['shopwebEnterpriseId', key.shopwebEnterpriseId],
    ['keytype', `${key.keytype} ${KEYTYPE[key.keytype]}`],
    ['switchStatus', `${key.switchStatus} ${SWITCH[key.switchStatus]}`],
    ['switchTime', key.switchTime && `${cst(key.switchTime)} CST`],
    ['expire', key.expire ? `${cst(key.expire)} CST` : 'never'],
    ['ifexpire', `${key.ifexpire} ${IFEXPIRE[key.ifexpire]}`],
    ['developerType', `${key.developerType} ${DEVELOPER[key.developerType]}`],
    ['supplierAccount', key.supplierAccount],
    ['ratePerSecond', key.ratePerSecond ?? 'default'],
    ['ratePerDay', key.ratePerDay ?? 'default'],
  ]);
  return 'secret' in key ? `${out}\n\n${SHOWN_ONCE}` : out;
}

export function formatKeyList(page: { keys: KeyView[]; total: number; limit: number; offset: number }): string {
  if (page.keys.length === 0) return page.total === 0 ? 'no developer keys yet' : `no keys at offset ${page.offset} (${page.total} in all)`;
  const rows = page.keys.map((k) => [
    k.applicationKey,
    k.id,
    k.username,
    k.enterpriseId,
    KEYTYPE[k.keytype],
    SWITCH[k.switchStatus],
    k.ifexpire === 2 ? `expired ${cst(k.expire!)}` : k.expire ? cst(k.expire) : 'never',
    DEVELOPER[k.developerType],
  ]);
  const shown = `${page.offset + 1}–${page.offset + page.keys.length} of ${page.total}`;
  return `${table(['KEY', 'ID', 'USERNAME', 'ENTERPRISE', 'TYPE', 'STATUS', 'EXPIRE (CST)', 'DEVELOPER'], rows)}\n(${shown})`;
}

export function formatMethod(m: MethodView): string {
  return lines([
    ['name', m.name],
    ['version', m.version],
    ['status', m.status],
    ['url', m.url],
    ['testUrl', m.testUrl],
    ['timeoutMs', m.timeoutMs ?? 'default'],
    ['ratePerSecond', m.ratePerSecond ?? 'none of its own'],
    ['ratePerDay', m.ratePerDay ?? 'none of its own'],
    ['description', m.description],
  ]);
}

function methodTable(methods: MethodView[]): string {
  return table(
    ['NAME', 'VERSION', 'STATUS', 'URL', 'TEST URL'],
    methods.map((m) => [m.name, m.version, m.status, m.url, m.testUrl]),
  );
}

export function formatMethodList(methods: MethodView[]): string {
  return methods.length === 0 ? 'no methods registered yet' : methodTable(methods);
}

export function formatGrants(g: GrantsView): string {
  const head = g.allMethods
    ? `${g.applicationKey} is an administrator key: it may call every method.`
    : `${g.applicationKey} may call the built-in methods and:`;
  if (g.grants.length === 0) return g.allMethods ? head : `${g.applicationKey} may call the built-in methods only (no grants).`;
  return `${head}${g.allMethods ? '\nGranted explicitly:' : ''}\n${methodTable(g.grants)}`;
}
