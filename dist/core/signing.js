import { createHash } from 'node:crypto';
import { constantTimeEqual } from './secrets.js';
/** How a value is written into a string to sign: numbers in decimal, objects as compact JSON. */
export function valueText(value) {
    if (value === null || value === undefined)
        return '';
    if (typeof value === 'string')
        return value;
    if (typeof value === 'number' || typeof value === 'boolean')
        return String(value);
    return JSON.stringify(value);
}
/** Plain UTF-16 code-unit order, which is what Java's String.compareTo and the vendors use. */
function sortedNames(params, skip) {
    return Object.keys(params)
        .filter((name) => name !== skip)
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
function hex(algorithm, text) {
    return createHash(algorithm).update(text, 'utf8').digest('hex');
}
/**
 * Opretail (万店掌) gateway: every parameter but `_sig`, empty ones included, sorted by name,
 * concatenated `name value name value…` without separators, wrapped in the secret on both sides,
 * MD5 or SHA1, uppercase hex.
 */
export const opretail = {
    stringToSign(params, secret) {
        let body = '';
        for (const name of sortedNames(params, '_sig'))
            body += name + valueText(params[name]);
        return secret + body + secret;
    },
    sign(params, secret, method) {
        return hex(method, opretail.stringToSign(params, secret)).toUpperCase();
    },
    verify(params, secret, method, signature) {
        return constantTimeEqual(opretail.sign(params, secret, method), signature, true);
    },
};
/** `a=1&b=2…&key=KEY` over the non-empty values except `signField`: shared by the two key-suffix schemes. */
function keyedString(params, key, signField) {
    const pairs = [];
    for (const name of sortedNames(params, signField)) {
        const text = valueText(params[name]);
        if (text !== '')
            pairs.push(`${name}=${text}`);
    }
    pairs.push(`key=${key}`);
    return pairs.join('&');
}
/**
 * storepos (超赢) and WeChat Pay API v2: non-empty parameters except `sign`, sorted, joined as
 * `name=value&…`, then `&key=KEY`; MD5, uppercase hex.
 */
export const storepos = {
    stringToSign(params, key) {
        return keyedString(params, key, 'sign');
    },
    sign(params, key) {
        return hex('md5', storepos.stringToSign(params, key)).toUpperCase();
    },
    verify(params, key, signature) {
        return constantTimeEqual(storepos.sign(params, key), signature, true);
    },
};
/** WeChat Pay v2 signs XML fields exactly as storepos signs form fields. */
export const wechatPayV2 = storepos;
/**
 * jucai (巨彩, the Jeepay family): the same string as storepos over the top-level JSON fields
 * (null and empty left out), MD5, emitted in lowercase hex as the seed's examples are.
 */
export const jucai = {
    stringToSign(params, key) {
        return keyedString(params, key, 'sign');
    },
    sign(params, key) {
        return hex('md5', jucai.stringToSign(params, key));
    },
    verify(params, key, signature) {
        return constantTimeEqual(jucai.sign(params, key), signature, true);
    },
};
/** Shows a string to sign with the secret masked, for sandbox-mode error messages. */
export function maskSecret(stringToSign, secret) {
    if (secret === '')
        return stringToSign;
    return stringToSign.split(secret).join('<secret>');
}
