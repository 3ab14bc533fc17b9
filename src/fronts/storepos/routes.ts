import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { InvalidInput, InvalidSignature } from '../../kernel/errors.ts';
import { storepos } from './signing.ts';
import type { AgentWithKey } from './domain/agents.ts';
import { bodyOf } from '../kit/bodies.ts';
import type { FrontContext, FrontPluginOptions } from '../kit/front.ts';
import { frontWire, resultOf, signatureHint, type WireCall } from '../kit/wire.ts';
import { CODE, failureOf, VersionTooLow, type Failure } from './codes.ts';
import { storeposRefusal } from './refuse.ts';
import { COMMON, paramsOf, requireParams, type Params } from './params.ts';
import { signedReply, type ReplyFields } from './reply.ts';
import type { StoreposServices } from './services.ts';
import { compareVersions } from './version.ts';

/** What an endpoint adds to the common checks: its own parameters and its action. */
interface Endpoint {
  path: string;
  params: readonly string[];
  run(s: StoreposServices, agent: AgentWithKey, params: Params): Promise<ReplyFields>;
}

const ENDPOINTS: Endpoint[] = [
  {
    path: '/Mch/GetMchSMSValid',
    params: ['mobile'],
    async run(s, agent, p) {
      const { minutes } = await s.sms.send(agent, p.mobile!);
      // The seed's own odd use of `code`: the validity in minutes.
      return { state: 'SUCCESS', code: String(minutes), msg: '短信验证码已发送' };
    },
  },
  {
    path: '/Mch/CheckMchSMSValid',
    params: ['mobile', 'valid_code'],
    async run(s, agent, p) {
      const ok = await s.sms.check(agent, p.mobile!, p.valid_code!);
      return ok ? { state: 'SUCCESS', code: CODE.OK, msg: 'SUCCESS' } : { state: 'SUCCESS', code: CODE.PARAM, msg: '验证码错误或已过期' };
    },
  },
  {
    path: '/Open/WXA_Code2Session',
    params: ['appid', 'js_code'],
    async run(s, agent, p) {
      const session = await s.login.code2Session(agent.id, p.appid!, p.js_code!);
      return {
        state: 'SUCCESS',
        code: CODE.OK,
        msg: 'SUCCESS',
        openid: session.openid,
        session_key: session.session_key,
        expires_in: session.expires_in,
        ...(session.unionid ? { unionid: session.unionid } : {}),
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
export async function storeposRoutes(app: FastifyInstance, { services, ctx, front }: FrontPluginOptions<StoreposServices>): Promise<void> {
  const wire = frontWire(app, ctx, { name: front.name, refuse: storeposRefusal });
  for (const endpoint of ENDPOINTS) {
    wire.route({
      method: 'POST',
      url: endpoint.path,
      handler: (request, reply, call) => handle(services, ctx, endpoint, request, reply, call),
    });
  }
}

async function handle(
  s: StoreposServices,
  ctx: FrontContext,
  endpoint: Endpoint,
  request: FastifyRequest,
  reply: FastifyReply,
  call: WireCall,
): Promise<unknown> {
  let params: Params | undefined;
  let agent: AgentWithKey | undefined;
  let fields: ReplyFields;
  try {
    params = paramsOf(bodyOf(request));
    // `sign` missing or empty is a signature error (10002), checked in its turn below.
    requireParams(
      params,
      COMMON.filter((name) => name !== 'sign'),
    );
    agent = await s.agents.authenticate(params.agent_id!);
    checkVersion(params.version!, s.settings.storeposMinVersion);
    checkSignature(ctx, params, agent);
    requireParams(params, endpoint.params);
    fields = await endpoint.run(s, agent, params);
  } catch (err) {
    const failure = failureOf(err);
    call.result = resultOf(err, failure);
    if (failure) {
      if (failure.code === CODE.SYSTEM)
        request.log.warn({ err: { kind: (err as Error).name, message: (err as Error).message } }, 'storepos upstream failure');
      fields = failure;
    } else {
      request.log.error({ err }, 'storepos front failure');
      fields = { state: 'FAIL', code: CODE.SYSTEM, msg: `系统错误; request id ${request.id}` };
    }
    // Signed whenever agent_id names a known agent, even a disabled one or one refused earlier.
    if (agent === undefined) agent = await tryIdentify(s, params?.agent_id);
  }
  call.credential = agent?.agentId ?? null;
  call.outcome = `${fields.state}:${fields.code}`;
  return send(reply, 200, fields, agent?.key);
}

function send(reply: FastifyReply, status: number, fields: ReplyFields | Failure, key: string | undefined): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'application/json; charset=utf-8')
    .send(JSON.stringify(signedReply(fields as ReplyFields, key)));
}

async function tryIdentify(s: StoreposServices, agentId: string | undefined): Promise<AgentWithKey | undefined> {
  if (!agentId) return undefined;
  try {
    return await s.agents.findForSigning(agentId);
  } catch {
    return undefined;
  }
}

function checkVersion(version: string, minimum: string): void {
  const cmp = compareVersions(version, minimum);
  if (cmp === null) throw new InvalidInput('version', 'version must be dotted numbers such as 1.0');
  if (cmp < 0) throw new VersionTooLow(`version ${version} is below ${minimum}, the lowest this platform supports; please upgrade`);
}

function checkSignature(ctx: FrontContext, params: Params, agent: AgentWithKey): void {
  if (!params.sign) throw new InvalidSignature('sign is missing or empty');
  if (storepos.verify(params, agent.key, params.sign)) return;
  // In the sandbox the message shows what was expected to be signed (key masked), to debug with.
  const expected = signatureHint(ctx, () => storepos.stringToSign(params, agent.key), agent.key);
  throw new InvalidSignature(`sign is wrong${expected === undefined ? '' : `; expected MD5 of: ${expected}`}`);
}
