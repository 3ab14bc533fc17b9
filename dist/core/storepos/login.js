import { InvalidInput } from '../errors.js';
/** How long WeChat keeps a session key, as the seed reports it to callers. */
export const SESSION_EXPIRES_IN = 7200;
const JS_CODE_PATTERN = /^[\x21-\x7e]{1,256}$/;
/**
 * Mini-program login on an agent's behalf: the agent names a granted appid and the `wx.login`
 * code; the platform adds the AppSecret the agent never sees and asks WeChat. WeChat's refusals
 * come back as UpstreamRejected('wechat', errcode, errmsg) and its outages as UpstreamUnavailable,
 * for the front to map.
 */
export class MiniProgramLogin {
    miniPrograms;
    wechat;
    constructor(miniPrograms, wechat) {
        this.miniPrograms = miniPrograms;
        this.wechat = wechat;
    }
    async code2Session(agentRef, appid, jsCode) {
        if (!JS_CODE_PATTERN.test(jsCode))
            throw new InvalidInput('js_code', 'js_code must be the code of wx.login (printable ASCII, at most 256 characters)');
        const app = await this.miniPrograms.findGranted(agentRef, appid);
        if (!app)
            throw new InvalidInput('appid', 'appid is not a mini-program this agent may use');
        const session = await this.wechat().code2Session(app.appid, app.secret, jsCode);
        return { ...session, expires_in: SESSION_EXPIRES_IN };
    }
}
