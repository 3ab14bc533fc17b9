import { storepos } from '../core/signing.js';
/** The reply's `sign` does not match its fields under the agent key: do not trust the reply. */
export class StoreposReplySignatureError extends Error {
    path;
    reply;
    constructor(path, reply) {
        super(`the reply of ${path} has a wrong sign; it was not sent by a server holding this agent key`);
        this.path = path;
        this.reply = reply;
        this.name = 'StoreposReplySignatureError';
    }
}
/** The server did not answer in the storepos shape (HTTP error page, not JSON, …). */
export class StoreposProtocolError extends Error {
    path;
    status;
    constructor(path, status, message) {
        super(message);
        this.path = path;
        this.status = status;
        this.name = 'StoreposProtocolError';
    }
}
export class StoreposClient {
    options;
    base;
    doFetch;
    constructor(options) {
        this.options = options;
        this.base = options.baseUrl.replace(/\/+$/, '');
        this.doFetch = options.fetch ?? fetch;
    }
    /** `POST /Mch/GetMchSMSValid`: sends an SMS code; on success `code` is its validity in minutes. */
    getMchSMSValid(input) {
        return this.call('/Mch/GetMchSMSValid', { mobile: input.mobile });
    }
    /** `POST /Mch/CheckMchSMSValid` (kaifang's extension): SUCCESS 10000 when the code is right. */
    checkMchSMSValid(input) {
        return this.call('/Mch/CheckMchSMSValid', { mobile: input.mobile, valid_code: input.validCode });
    }
    /** `POST /Open/WXA_Code2Session`: a mini-program `wx.login` code to openid and session_key. */
    code2Session(input) {
        return this.call('/Open/WXA_Code2Session', { appid: input.appid, js_code: input.jsCode });
    }
    /** The signed form body of a call, for logging-free debugging or other transports. */
    signedParams(params) {
        const all = {
            agent_id: this.options.agentId,
            pid: this.options.pid ?? 'kaifang-client',
            version: this.options.version ?? '1.0',
            ...params,
        };
        return { ...all, sign: storepos.sign(all, this.options.key) };
    }
    /** Sends any storepos call (extra parameters are signed like the others) and verifies the reply. */
    async call(path, params) {
        const res = await this.doFetch(this.base + path, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', accept: 'application/json' },
            body: new URLSearchParams(this.signedParams(params)).toString(),
            signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
        });
        const text = await res.text();
        let reply;
        try {
            reply = JSON.parse(text);
        }
        catch {
            throw new StoreposProtocolError(path, res.status, `${path} answered HTTP ${res.status} with a body that is not JSON`);
        }
        if (!isReply(reply))
            throw new StoreposProtocolError(path, res.status, `${path} answered HTTP ${res.status} without state, code and sign`);
        this.verify(path, reply);
        return reply;
    }
    /**
     * Checks `sign` over the reply's other non-empty fields. An empty `sign` is accepted only on a
     * FAIL 10005 (the server could not identify the agent, so it had no key to sign with).
     */
    verify(path, reply) {
        if (reply.sign === '' && reply.state === 'FAIL' && reply.code === '10005')
            return;
        const fields = {};
        for (const [name, value] of Object.entries(reply)) {
            if (typeof value === 'string' || typeof value === 'number')
                fields[name] = value;
            else if (name !== 'sign' && value !== null && value !== undefined)
                throw new StoreposReplySignatureError(path, reply);
        }
        if (!storepos.verify(fields, this.options.key, reply.sign))
            throw new StoreposReplySignatureError(path, reply);
    }
}
function isReply(v) {
    if (typeof v !== 'object' || v === null)
        return false;
    const r = v;
    return typeof r.state === 'string' && typeof r.code === 'string' && typeof r.sign === 'string';
}
