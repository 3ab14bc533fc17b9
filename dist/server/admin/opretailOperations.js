import { parseDateTime } from '../../core/cst.js';
import { InvalidInput } from '../../core/errors.js';
import { BUILT_IN_METHODS } from '../../core/opretail/gatewayMethods.js';
import { presentDeveloperKey } from '../../core/opretail/present.js';
/**
 * What an operator does with the Opretail front, shared by the admin API and the CLI so both take
 * the same input (times as CST text) and show the same output. No HTTP, no terminal here.
 */
/** A key as the operator sees it: the gateway's presentation plus the key's own rate limits. */
export function keyView(key, now, withSecret = false) {
    return { ...presentDeveloperKey(key, now, withSecret), ratePerSecond: key.ratePerSecond, ratePerDay: key.ratePerDay };
}
/** `"yyyy-MM-dd HH:mm:ss"` CST → ms; null stays null ("never"); absent stays absent. */
export function parseCstTime(value, param) {
    if (value === undefined || value === null)
        return value;
    const ms = parseDateTime(value.trim());
    if (ms === null)
        throw new InvalidInput(param, `${param} must be a CST time "yyyy-MM-dd HH:mm:ss", e.g. "2027-12-31 00:00:00"; got "${value.slice(0, 40)}"`);
    return ms;
}
function withExpire(input) {
    const { expire, ...rest } = input;
    const ms = parseCstTime(expire, 'expire');
    return ms === undefined ? rest : { ...rest, expire: ms };
}
export function opretailOperations(k) {
    const { keys, methods } = k.opretail;
    const now = () => k.clock.now();
    async function grantsOf(applicationKey) {
        const key = await keys.get(applicationKey);
        return { applicationKey, allMethods: key.developerType === 1, grants: await methods.grantsOf(key.id) };
    }
    /** The key and the registered method a grant names; built-in methods need no grant. */
    async function grantTarget(applicationKey, name, version) {
        if (BUILT_IN_METHODS.has(name))
            throw new InvalidInput('name', `${name} is built in and open to every key; it cannot be granted or revoked`);
        const key = await keys.get(applicationKey);
        return { key, method: await methods.get(name, version) };
    }
    return {
        async listKeys(limit = 100, offset = 0) {
            const [list, total] = await Promise.all([keys.list({ limit, offset }), keys.count()]);
            const at = now();
            return { keys: list.map((key) => keyView(key, at)), total, limit, offset };
        },
        /** Creates (or, with applicationKey/applicationSecret, imports) a key; the reply carries the secret. */
        async createKey(input) {
            return keyView(await keys.create(withExpire(input)), now(), true);
        },
        async showKey(applicationKey) {
            return keyView(await keys.get(applicationKey), now());
        },
        async updateKey(applicationKey, changes) {
            return keyView(await keys.update(applicationKey, withExpire(changes)), now());
        },
        async setKeyEnabled(applicationKey, enabled) {
            return keyView(await keys.setEnabled(applicationKey, enabled), now());
        },
        /** `at` absent = now, null = never expires. */
        async expireKey(applicationKey, at) {
            const ms = parseCstTime(at, 'at');
            const key = ms === undefined ? await keys.expire(applicationKey) : await keys.expire(applicationKey, ms);
            return keyView(key, now());
        },
        async rotateSecret(applicationKey, applicationSecret) {
            return keyView(await keys.rotateSecret(applicationKey, applicationSecret), now(), true);
        },
        grantsOf,
        async grant(applicationKey, name, version) {
            const { key, method } = await grantTarget(applicationKey, name, version);
            await methods.grant(key.id, method);
            return grantsOf(applicationKey);
        },
        async revoke(applicationKey, name, version) {
            const { key, method } = await grantTarget(applicationKey, name, version);
            await methods.revoke(key.id, method);
            return grantsOf(applicationKey);
        },
    };
}
