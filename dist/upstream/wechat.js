import { UpstreamRejected, UpstreamUnavailable } from '../core/errors.js';
import { callUpstream, jsonObject } from './http.js';
export const WECHAT_API_URL = 'https://api.weixin.qq.com';
/**
 * WeChat mini-program login: `GET {base}/sns/jscode2session?appid&secret&js_code&grant_type`.
 * Success is `{openid, session_key, unionid?}` (an `errcode` of 0 may ride along); failure is
 * `{errcode, errmsg}` (40029 invalid code, 40163 code used, 45011 frequency limit, 40226 risky user,
 * -1 busy, 40125/41002/41004/41008 bad or missing credentials) → `UpstreamRejected('wechat',
 * String(errcode), errmsg)`. Nothing here logs: the reply carries `session_key`.
 */
export class WechatLoginAdapter {
    baseUrl;
    http;
    constructor(
    /** e.g. https://api.weixin.qq.com, or http://127.0.0.1:8080/sandbox/wechat */
    baseUrl, http) {
        this.baseUrl = baseUrl;
        this.http = http;
    }
    async code2Session(appid, secret, jsCode) {
        const query = new URLSearchParams({ appid, secret, js_code: jsCode, grant_type: 'authorization_code' });
        const url = `${this.baseUrl().replace(/\/+$/, '')}/sns/jscode2session?${query}`;
        // readOnly: a retry happens only when the connection was refused, i.e. the code never left.
        return callUpstream(this.http, { upstream: 'wechat', url, method: 'GET', readOnly: true }, (res) => {
            const body = jsonObject(res, 'wechat');
            const errcode = body.errcode;
            if (errcode !== undefined && errcode !== 0 && errcode !== '0') {
                const errmsg = typeof body.errmsg === 'string' ? body.errmsg : '';
                throw new UpstreamRejected('wechat', String(errcode), errmsg);
            }
            if (res.status !== 200) {
                throw new UpstreamUnavailable('wechat', `wechat: HTTP ${res.status} without an errcode`, res.status);
            }
            const { openid, session_key, unionid } = body;
            if (typeof openid !== 'string' || openid === '' || typeof session_key !== 'string' || session_key === '') {
                throw new UpstreamUnavailable('wechat', 'wechat: the answer has no openid or session_key');
            }
            return typeof unionid === 'string' && unionid !== '' ? { openid, session_key, unionid } : { openid, session_key };
        });
    }
}
