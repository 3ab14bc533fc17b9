import { decodeForm, FormDecodeError } from '../../server/bodies.js';
import { GatewayError } from './codes.js';
/** Deep enough for any real business payload; bounds the recursion of JSON.stringify. */
const MAX_JSON_DEPTH = 32;
export const quote = (name) => JSON.stringify(name.length > 64 ? name.slice(0, 64) + '…' : name);
const unreadable = (message) => new GatewayError('SIGN_WRONG', message);
/** Null-prototype maps: a parameter named `__proto__` is just a parameter. */
const map = () => Object.create(null);
/** The spec's JSON-to-text rule: numbers in decimal, booleans as words, null empty, nesting as compact JSON. */
function jsonText(value) {
    if (value === null)
        return '';
    if (typeof value === 'string')
        return value;
    if (typeof value === 'number' || typeof value === 'boolean')
        return String(value);
    return JSON.stringify(value);
}
function tooDeep(root) {
    const stack = [[root, 0]];
    while (stack.length > 0) {
        const [value, depth] = stack.pop();
        if (depth > MAX_JSON_DEPTH)
            return true;
        if (value !== null && typeof value === 'object')
            for (const child of Object.values(value))
                stack.push([child, depth + 1]);
    }
    return false;
}
function bodyEntries(body) {
    switch (body.type) {
        case 'none':
            return [];
        case 'invalid':
            throw unreadable(`the request body cannot be read: ${body.reason}`);
        case 'form':
            return body.pairs.map(([name, text]) => ({ name, text, value: text }));
        case 'json': {
            const v = body.value;
            if (v === null || typeof v !== 'object' || Array.isArray(v)) {
                throw unreadable('a JSON body must be one flat object of parameter names to values');
            }
            if (tooDeep(v))
                throw unreadable(`the JSON body is nested deeper than ${MAX_JSON_DEPTH} levels`);
            return Object.entries(v).map(([name, value]) => ({ name, text: jsonText(value), value }));
        }
    }
}
function queryEntries(rawQuery) {
    try {
        return decodeForm(rawQuery).map(([name, text]) => ({ name, text, value: text }));
    }
    catch (err) {
        if (err instanceof FormDecodeError)
            throw unreadable(`the query string cannot be read: ${err.message}`);
        throw err;
    }
}
/**
 * Repeating a name with the same value is harmless (some clients send `_format` twice); with a
 * different value nobody can tell which one the caller signed, so it is refused like the
 * query/body conflict the spec names. (JSON.parse keeps the last of duplicate JSON keys; that
 * cannot be seen here.)
 */
function addAll(into, entries, where, seen) {
    for (const e of entries) {
        const prior = into.get(e.name);
        if (prior && prior.text !== e.text) {
            const first = seen.get(e.name);
            const how = first === where ? `twice in the ${where}` : `in both the ${first} and the ${where}`;
            throw unreadable(`parameter ${quote(e.name)} is given ${how} with different values; send it once`);
        }
        if (!prior) {
            into.set(e.name, e);
            seen.set(e.name, where);
        }
    }
}
/** Looks URL-encoded and decodes cleanly as a form value. */
function formDecoded(text) {
    if (!/[%+]/.test(text) || /[&=]/.test(text))
        return undefined;
    try {
        return decodeForm(`v=${text}`)[0]?.[1];
    }
    catch {
        return undefined;
    }
}
export function collectParams(rawQuery, body) {
    const fromBody = bodyEntries(body);
    const merged = new Map();
    const seen = new Map();
    addAll(merged, queryEntries(rawQuery), 'query string', seen);
    addAll(merged, fromBody, 'body', seen);
    const text = map();
    const values = map();
    for (const [name, e] of merged) {
        text[name] = e.text;
        values[name] = e.value;
    }
    let decoded = null;
    if (body.type === 'json') {
        for (const e of fromBody) {
            if (typeof e.value !== 'string' || seen.get(e.name) !== 'body')
                continue;
            const plain = formDecoded(e.value);
            if (plain === undefined || plain === e.value)
                continue;
            decoded ??= { text: Object.assign(map(), text), values: Object.assign(map(), values) };
            decoded.text[e.name] = plain;
            decoded.values[e.name] = plain;
        }
    }
    return { text, values, decoded };
}
/** `_format` read leniently from a raw query string, so even an unreadable request is answered in XML when asked. */
export function peekFormat(rawQuery) {
    return /(?:^|&)_format=xml(?:&|$)/i.test(rawQuery) ? 'xml' : 'json';
}
