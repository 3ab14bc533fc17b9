import { XMLParser } from 'fast-xml-parser';
import { systemClock } from '../core/clock.js';
import { formatCompact } from '../core/cst.js';
import { opretail, valueText } from '../core/signing.js';
/** The reply could not be read as the gateway's shape (wrong URL, proxy error page, …). */
export class OpretailProtocolError extends Error {
    status;
    constructor(message, status) {
        super(message);
        this.status = status;
        this.name = 'OpretailProtocolError';
    }
}
const xml = new XMLParser({ parseTagValue: false, ignoreAttributes: true });
function fromXml(text) {
    const doc = xml.parse(text);
    const r = doc.response;
    if (!r?.stat)
        throw new Error('no <response><stat> element');
    return {
        stat: { cid: String(r.stat.cid ?? ''), code: Number(r.stat.code), codename: String(r.stat.codename ?? ''), systime: Number(r.stat.systime) },
        result: String(r.result ?? ''),
        data: r.data === '' || r.data === undefined ? null : r.data,
    };
}
export class OpretailClient {
    o;
    endpoint;
    constructor(options) {
        this.o = { aid: 'S107', signMethod: 'md5', transport: 'form', ...options };
        const base = options.baseUrl.replace(/\/+$/, '');
        this.endpoint = base.endsWith('/m.api') ? base : `${base}/m.api`;
    }
    /** The signed parameters of a call, for inspection or for sending by other means. */
    sign(method, version, params = {}) {
        const o = this.o;
        const all = {
            ...params,
            _aid: o.aid,
            _akey: o.applicationKey,
            _mt: method,
            _sm: o.signMethod,
            _requestMode: o.requestMode ?? (o.transport === 'get' ? 'get' : 'post'),
            _version: version,
            _timestamp: formatCompact((o.clock ?? systemClock).now()),
            ...(o.format ? { _format: o.format } : {}),
        };
        all._sig = opretail.sign(all, o.applicationSecret, o.signMethod);
        return all;
    }
    async call(method, version, params = {}) {
        const all = this.sign(method, version, params);
        const form = () => new URLSearchParams(Object.entries(all).map(([n, v]) => [n, valueText(v)])).toString();
        const headers = {};
        if (this.o.environment)
            headers.environment = this.o.environment;
        let url = this.endpoint;
        let init;
        if (this.o.transport === 'get') {
            url += `?${form()}`;
            init = { method: 'GET', headers };
        }
        else if (this.o.transport === 'json') {
            init = { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(all) };
        }
        else {
            init = { method: 'POST', headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, body: form() };
        }
        if (this.o.timeoutMs)
            init.signal = AbortSignal.timeout(this.o.timeoutMs);
        const res = await (this.o.fetch ?? fetch)(url, init);
        const text = await res.text();
        try {
            const reply = this.o.format === 'xml' ? fromXml(text) : JSON.parse(text);
            if (typeof reply?.stat?.code !== 'number' || Number.isNaN(reply.stat.code))
                throw new Error('no numeric stat.code');
            return reply;
        }
        catch (err) {
            throw new OpretailProtocolError(`HTTP ${res.status}: the reply is not an Opretail gateway reply (${err.message})`, res.status);
        }
    }
    /** `open.gateway.authentication`: the developer record of this key, if `orgid` is its enterprise. */
    authenticate(orgid, version = 'v2') {
        return this.call('open.gateway.authentication', version, { orgid });
    }
}
