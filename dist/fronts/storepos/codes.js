import { DomainError, UpstreamRejected, UpstreamUnavailable } from '../../core/errors.js';
/** The seed's codes and kaifang's 10008. */
export const CODE = {
    OK: '10000',
    SIGN: '10002',
    PARAM: '10004',
    AGENT: '10005',
    SYSTEM: '10006',
    FREQUENCY: '10008',
};
/** The caller's `version` is below the deployment's minimum: the protocol's own `VER` state. */
export class VersionTooLow extends DomainError {
    kind = 'VersionTooLow';
}
// WeChat's errcodes that say "this js_code is no good" (invalid, used, risky user): the caller's
// business input, so SUCCESS 10004. 45011 is WeChat's frequency limit. Anything else (-1 busy,
// 40013/40125 appid or secret refused, …) is the platform's problem: SUCCESS 10006.
const WECHAT_CODE_ERRORS = new Set(['40029', '40163', '40226']);
const WECHAT_FREQUENCY = '45011';
/**
 * The one table from domain errors to storepos (state, code, msg). Request-level refusals
 * (parameters, signature, agent, version, our own limits) are FAIL; a request that was processed
 * but failed upstream is SUCCESS with the failure code and the upstream's own code and text.
 * Returns undefined for an error that is not a domain error (the caller logs it: FAIL 10006).
 */
export function outcomeOf(err) {
    if (!(err instanceof DomainError))
        return undefined;
    if (err instanceof UpstreamRejected) {
        if (err.upstream === 'wechat') {
            const text = `微信返回 errcode=${err.code} errmsg=${err.upstreamMessage}`;
            if (WECHAT_CODE_ERRORS.has(err.code))
                return { state: 'SUCCESS', code: CODE.PARAM, msg: text };
            if (err.code === WECHAT_FREQUENCY)
                return { state: 'SUCCESS', code: CODE.FREQUENCY, msg: text };
            return { state: 'SUCCESS', code: CODE.SYSTEM, msg: text };
        }
        return { state: 'SUCCESS', code: CODE.SYSTEM, msg: `短信服务商拒绝发送: ${err.code} ${err.upstreamMessage}` };
    }
    if (err instanceof UpstreamUnavailable) {
        // The adapter's own message names internal hosts: it goes to the log, not to the agent.
        const who = err.upstream === 'wechat' ? '微信' : '短信服务商';
        return { state: 'SUCCESS', code: CODE.SYSTEM, msg: `系统繁忙: ${who}暂时不可用, 请稍后重试` };
    }
    switch (err.kind) {
        case 'InvalidInput':
            return { state: 'FAIL', code: CODE.PARAM, msg: err.message };
        case 'InvalidSignature':
            return { state: 'FAIL', code: CODE.SIGN, msg: err.message };
        case 'NotFound':
        case 'Disabled':
            return { state: 'FAIL', code: CODE.AGENT, msg: err.message };
        case 'RateLimited':
            return { state: 'FAIL', code: CODE.FREQUENCY, msg: err.message };
        case 'VersionTooLow':
            return { state: 'VER', code: CODE.PARAM, msg: err.message };
        default:
            return { state: 'FAIL', code: CODE.SYSTEM, msg: err.message };
    }
}
