import { InvalidInput, InvalidSignature, NotFound, Disabled } from '../../core/errors.js';
import { maskSecret, storepos } from '../../core/signing.js';
import { bodyOf, useFrontBodyParsers } from '../../server/bodies.js';
import { observeCall } from '../../server/observe.js';
import { CODE, outcomeOf, VersionTooLow } from './codes.js';
import { COMMON, paramsOf, requireParams } from './params.js';
import { signedReply } from './reply.js';
import { compareVersions } from './version.js';
const ENDPOINTS = [
    {
        path: '/Mch/GetMchSMSValid',
        params: ['mobile'],
        async run(k, agent, p) {
            const { minutes } = await k.storepos.sms.send(agent, p.mobile);
            // The seed's own odd use of `code`: the validity in minutes.
            return { state: 'SUCCESS', code: String(minutes), msg: '短信验证码已发送' };
        },
    },
    {
        path: '/Mch/CheckMchSMSValid',
        params: ['mobile', 'valid_code'],
        async run(k, agent, p) {
            const ok = await k.storepos.sms.check(agent, p.mobile, p.valid_code);
            return ok
                ? { state: 'SUCCESS', code: CODE.OK, msg: 'SUCCESS' }
                : { state: 'SUCCESS', code: CODE.PARAM, msg: '验证码错误或已过期' };
        },
    },
    {
        path: '/Open/WXA_Code2Session',
        params: ['appid', 'js_code'],
        async run(k, agent, p) {
            const s = await k.storepos.login.code2Session(agent.id, p.appid, p.js_code);
            return {
                state: 'SUCCESS',
                code: CODE.OK,
                msg: 'SUCCESS',
                openid: s.openid,
                session_key: s.session_key,
                expires_in: s.expires_in,
                ...(s.unionid ? { unionid: s.unionid } : {}),
            };
        },
    },
];
/**
 * The 超赢 (storepos) agent API. Checks run in the order of storepos.md: parse → common
 * parameters → agent (10005) → version (VER) → signature (10002) → the endpoint's parameters →
 * limits → action; nothing with an effect (a limit slot, an SMS) happens before the signature is
 * good and every parameter is valid.
 *
 * Replay: the protocol carries no timestamp or nonce, so two honest identical requests (the same
 * mobile asked again a minute later) are byte-identical and cannot be told from a replay; kaifang
 * does not reject them. What a replay could repeat is bounded by the endpoints themselves: SMS
 * sends by the per-mobile and per-agent limits, a code check by the code's single use, a login
 * by WeChat's single-use js_code. Deploy behind TLS so requests cannot be captured.
 */
export async function storeposFront(app, { k }) {
    useFrontBodyParsers(app);
    // Fastify's own refusals (body too large, broken headers) still answer in the storepos shape.
    app.setErrorHandler(async (err, request, reply) => {
        const status = err.statusCode;
        const tooLarge = err.code === 'FST_ERR_CTP_BODY_TOO_LARGE';
        const msg = tooLarge ? `the request body is larger than ${k.config.bodyLimit} bytes` : `the request cannot be read: ${err.message}`;
        if (status === undefined || status >= 500)
            request.log.error({ err }, 'storepos front failure');
        return send(reply, status !== undefined && status >= 400 && status < 500 ? status : 200, { state: 'FAIL', code: CODE.PARAM, msg }, undefined);
    });
    for (const endpoint of ENDPOINTS) {
        app.post(endpoint.path, (request, reply) => handle(k, endpoint, request, reply));
        app.route({
            method: ['GET', 'PUT', 'DELETE', 'PATCH'],
            url: endpoint.path,
            handler: async (_request, reply) => send(reply, 405, { state: 'FAIL', code: CODE.PARAM, msg: `${endpoint.path} takes POST only` }, undefined),
        });
    }
}
async function handle(k, endpoint, request, reply) {
    const startedAt = process.hrtime.bigint();
    let params;
    let agent;
    let fields;
    try {
        params = paramsOf(bodyOf(request));
        requireParams(params, COMMON);
        agent = await identify(k, params.agent_id);
        checkVersion(params.version, k.config.storeposMinVersion);
        checkSignature(k, params, agent);
        requireParams(params, endpoint.params);
        fields = await endpoint.run(k, agent, params);
    }
    catch (err) {
        const outcome = outcomeOf(err);
        if (outcome) {
            if (outcome.code === CODE.SYSTEM)
                request.log.warn({ err: { kind: err.name, message: err.message } }, 'storepos upstream failure');
            fields = outcome;
        }
        else {
            request.log.error({ err }, 'storepos front failure');
            fields = { state: 'FAIL', code: CODE.SYSTEM, msg: `系统错误; request id ${request.id}` };
        }
        // Signed whenever agent_id names a known agent, even a disabled one or one refused earlier.
        if (agent === undefined)
            agent = await tryIdentify(k, params?.agent_id);
    }
    observeCall(k, {
        front: 'storepos',
        endpoint: endpoint.path,
        credential: agent?.agentId ?? null,
        outcome: `${fields.state}:${fields.code}`,
        startedAt,
        requestId: request.id,
    });
    return send(reply, 200, fields, agent?.key);
}
function send(reply, status, fields, key) {
    return reply.code(status).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(signedReply(fields, key)));
}
async function identify(k, agentId) {
    const agent = await k.storepos.agents.findForSigning(agentId);
    if (!agent)
        throw new NotFound('agent', 'agent_id is not a known agent');
    if (!agent.enabled)
        throw new Disabled('agent_id is disabled');
    return agent;
}
async function tryIdentify(k, agentId) {
    if (!agentId)
        return undefined;
    try {
        return await k.storepos.agents.findForSigning(agentId);
    }
    catch {
        return undefined;
    }
}
function checkVersion(version, minimum) {
    const cmp = compareVersions(version, minimum);
    if (cmp === null)
        throw new InvalidInput('version', 'version must be dotted numbers such as 1.0');
    if (cmp < 0)
        throw new VersionTooLow(`version ${version} is below ${minimum}, the lowest this platform supports; please upgrade`);
}
function checkSignature(k, params, agent) {
    if (storepos.verify(params, agent.key, params.sign))
        return;
    // In the sandbox the message shows what was expected to be signed (key masked), to debug with.
    const hint = k.config.upstreamMode === 'sandbox' ? `; expected MD5 of: ${maskSecret(storepos.stringToSign(params, agent.key), agent.key)}` : '';
    throw new InvalidSignature(`sign is wrong${hint}`);
}
