import { storepos } from '../../core/signing.js';
/**
 * A storepos reply: `state`, `code`, `msg`, any extra fields, then `sign` over the non-empty
 * fields (numbers as decimal text) with the agent key, or "" when the agent is not identified.
 */
export function signedReply(fields, key) {
    const { state, code, msg, ...extra } = fields;
    const body = { state, code, msg, ...extra };
    body.sign = key === undefined ? '' : storepos.sign(body, key);
    return body;
}
