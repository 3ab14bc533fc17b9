/** Human output of `kaifang opretail …`: aligned lines for one thing, a table for many. */
const text = (v) => (v === null || v === undefined || v === '' ? '-' : String(v));
/** `label  value` lines, labels padded to one width. */
export function lines(rows) {
    const width = Math.max(...rows.map(([label]) => label.length));
    return rows.map(([label, value]) => `${label.padEnd(width)}  ${text(value)}`).join('\n');
}
/** A table with a header row; columns as wide as their widest cell. */
export function table(header, rows) {
    const cells = [header, ...rows.map((r) => r.map(text))];
    const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
    return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n');
}
const KEYTYPE = { 1: 'formal', 2: 'test' };
const IFEXPIRE = { 1: 'never expires', 2: 'expired', 3: 'in service' };
const SWITCH = { '1': 'enabled', '2': 'disabled' };
const DEVELOPER = { 1: 'administrator', 2: 'normal', 3: 'vendor' };
export function formatKey(key) {
    const out = lines([
        ['applicationKey', key.applicationKey],
        ...('applicationSecret' in key ? [['applicationSecret', key.applicationSecret]] : []),
        ['id', key.id],
        ['username', key.username],
        ['applicationId', key.applicationId],
        ['enterpriseId', key.enterpriseId],
        ['shopwebEnterpriseId', key.shopwebEnterpriseId],
        ['keytype', `${key.keytype} ${KEYTYPE[key.keytype]}`],
        ['switchStatus', `${key.switchStatus} ${SWITCH[key.switchStatus]}`],
        ['switchTime', key.switchTime && `${key.switchTime} CST`],
        ['expire', key.expire ? `${key.expire} CST` : 'never'],
        ['ifexpire', `${key.ifexpire} ${IFEXPIRE[key.ifexpire]}`],
        ['developerType', `${key.developerType} ${DEVELOPER[key.developerType]}`],
        ['supplierAccount', key.supplierAccount],
        ['ratePerSecond', key.ratePerSecond ?? 'default'],
        ['ratePerDay', key.ratePerDay ?? 'default'],
    ]);
    return 'applicationSecret' in key ? `${out}\n\nThe secret is shown only this once: store it safely now.` : out;
}
export function formatKeyList(page) {
    if (page.keys.length === 0)
        return page.total === 0 ? 'no developer keys yet' : `no keys at offset ${page.offset} (${page.total} in all)`;
    const rows = page.keys.map((k) => [
        k.applicationKey,
        k.id,
        k.username,
        k.enterpriseId,
        KEYTYPE[k.keytype],
        SWITCH[k.switchStatus],
        k.ifexpire === 2 ? `expired ${k.expire}` : (k.expire ?? 'never'),
        DEVELOPER[k.developerType],
    ]);
    const shown = `${page.offset + 1}–${page.offset + page.keys.length} of ${page.total}`;
    return `${table(['KEY', 'ID', 'USERNAME', 'ENTERPRISE', 'TYPE', 'STATUS', 'EXPIRE (CST)', 'DEVELOPER'], rows)}\n(${shown})`;
}
export function formatMethod(m) {
    return lines([
        ['name', m.name],
        ['version', m.version],
        ['status', m.enabled ? 'enabled' : 'disabled'],
        ['url', m.url],
        ['testUrl', m.testUrl],
        ['timeoutMs', m.timeoutMs ?? 'default'],
        ['ratePerSecond', m.ratePerSecond ?? 'none of its own'],
        ['ratePerDay', m.ratePerDay ?? 'none of its own'],
        ['description', m.description],
    ]);
}
function methodTable(methods) {
    return table(['NAME', 'VERSION', 'STATUS', 'URL', 'TEST URL'], methods.map((m) => [m.name, m.version, m.enabled ? 'enabled' : 'disabled', m.url, m.testUrl]));
}
export function formatMethodList(methods) {
    return methods.length === 0 ? 'no methods registered yet' : methodTable(methods);
}
export function formatGrants(g) {
    const head = g.allMethods
        ? `${g.applicationKey} is an administrator key: it may call every method.`
        : `${g.applicationKey} may call the built-in methods and:`;
    if (g.grants.length === 0)
        return g.allMethods ? head : `${g.applicationKey} may call the built-in methods only (no grants).`;
    return `${head}${g.allMethods ? '\nGranted explicitly:' : ''}\n${methodTable(g.grants)}`;
}
