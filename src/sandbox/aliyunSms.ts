import { createHmac } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { constantTimeEqual } from '../kernel/secrets.ts';
import type { SandboxDeps } from './deps.ts';
import { aliyunCredentials } from '../upstream/sms/index.ts';
import { hang, MAINLAND_MOBILE, requestId, SANDBOX_MOBILES } from './behaviour.ts';
import { codeText } from './sms.ts';

const TIMESTAMP_WINDOW_MS = 15 * 60_000;

/**
 * The RPC signature as Alibaba Cloud documents it ("Request signatures", signature version 1.0),
 * written here apart from the adapter's signer so that a mistake in one cannot hide in the other:
 * percent-encode names and values per RFC 3986 (space %20, `*` %2A, `~` kept), sort by encoded
 * name, join `k=v` with `&`; sign `METHOD&%2F&` + the encoded query with HMAC-SHA1 keyed by
 * `secret&`, Base64.
 */
function expectedSignature(method: string, params: Record<string, string>, secret: string): string {
  const enc = (v: string) =>
    Array.from(Buffer.from(v, 'utf8'))
      .map((b) =>
        /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : '%' + b.toString(16).toUpperCase().padStart(2, '0'),
      )
      .join('');
  const pairs = Object.entries(params)
    .filter(([name]) => name !== 'Signature')
    .map(([name, value]) => [enc(name), enc(value)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const query = pairs.map(([n, v]) => `${n}=${v}`).join('&');
  return createHmac('sha1', `${secret}&`)
    .update(`${method}&${enc('/')}&${enc(query)}`, 'utf8')
    .digest('base64');
}

/** Form pairs of a query string or body (the simulator is lenient where the adapter is exact). */
function formPairs(text: string): [string, string][] {
  return [...new URLSearchParams(text)];
}

/**
 * Simulator of Alibaba Cloud SMS `SendSms` (RPC, 2017-05-25) at `/sandbox/aliyun-sms`. It checks
 * the request as the real service does — AccessKeyId, Timestamp within 15 minutes, a fresh
 * SignatureNonce, the HMAC-SHA1 signature over query + form parameters with the configured
 * AccessKey secret, the configured SignName and TemplateCode, TemplateParam JSON — then writes the
 * outbox. Answers are JSON (the real service answers XML unless Format=JSON; the adapter asks JSON).
 */
export async function aliyunSmsSimulator(app: FastifyInstance, { deps }: { deps: SandboxDeps }): Promise<void> {
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const err = (status: number, Code: string, Message: string) =>
      reply.code(status).send({ RequestId: requestId().toUpperCase(), Code, Message });

    const params: Record<string, string> = {};
    const q = request.url.indexOf('?');
    const pairs = q === -1 ? [] : formPairs(request.url.slice(q + 1));
    if (Buffer.isBuffer(request.body)) pairs.push(...formPairs(request.body.toString('utf8')));
    for (const [name, value] of pairs) params[name] = value;
    for (const p of [
      'AccessKeyId',
      'Signature',
      'SignatureNonce',
      'Timestamp',
      'SignatureMethod',
      'SignatureVersion',
      'Action',
      'Version',
    ]) {
      if (!params[p]) return err(400, `Missing${p}`, `${p} is mandatory for this action.`);
    }
    if (params.Action !== 'SendSms')
      return err(404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.');
    if (params.Version !== '2017-05-25') return err(400, 'InvalidVersion', 'Specified parameter Version is not valid.');
    if (params.SignatureMethod !== 'HMAC-SHA1' || params.SignatureVersion !== '1.0') {
      return err(400, 'InvalidSignatureMethod', 'Specified signature method is not supported.');
    }

    const creds = aliyunCredentials(deps.sms);
    if (!constantTimeEqual(params.AccessKeyId!, creds.accessKeyId))
      return err(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
    const at = Date.parse(params.Timestamp!);
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(params.Timestamp!) || !Number.isFinite(at)) {
      return err(400, 'InvalidTimeStamp.Format', 'Specified time stamp or date value is not well formatted.');
    }
    if (Math.abs(Date.now() - at) > TIMESTAMP_WINDOW_MS)
      return err(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.');
    const method = request.method === 'GET' ? 'GET' : 'POST';
    const expected = expectedSignature(method, params, creds.accessKeySecret);
    if (!constantTimeEqual(params.Signature!, expected)) {
      return err(400, 'SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.');
    }
    // The nonce is remembered only once the signature holds, so a forged request cannot burn one.
    if (!(await deps.state.putIfAbsent(`sandbox:aliyun:nonce:${params.SignatureNonce}`, '1', TIMESTAMP_WINDOW_MS * 2))) {
      return err(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
    }

    const ok = (body: Record<string, unknown>) => reply.code(200).send({ RequestId: requestId().toUpperCase(), ...body });
    const refuse = (Code: string, Message: string) => ok({ Code, Message });
    for (const p of ['PhoneNumbers', 'SignName', 'TemplateCode']) {
      if (!params[p]) return err(400, `Missing${p}`, `${p} is mandatory for this action.`);
    }
    const mobile = params.PhoneNumbers!.replace(/^(\+86|0086|86)/, '');
    if (!MAINLAND_MOBILE.test(mobile)) return refuse('isv.MOBILE_NUMBER_ILLEGAL', '非法手机号');
    if (params.SignName !== creds.signName) return refuse('isv.SMS_SIGNATURE_ILLEGAL', '该账号下找不到对应签名');
    if (params.TemplateCode !== creds.templateCode) return refuse('isv.SMS_TEMPLATE_ILLEGAL', '该账号下找不到对应模板');
    let templateParam: Record<string, unknown> = {};
    if (params.TemplateParam !== undefined) {
      try {
        templateParam = JSON.parse(params.TemplateParam) as Record<string, unknown>;
      } catch {
        return refuse('isv.INVALID_JSON_PARAM', 'JSON参数不合法，只接受字符串值');
      }
    }
    if (mobile === SANDBOX_MOBILES.refused) return refuse('isv.BUSINESS_LIMIT_CONTROL', '触发号码天级流控Permits:10');
    if (mobile === SANDBOX_MOBILES.down)
      return reply
        .code(503)
        .send({ Code: 'ServiceUnavailable', Message: 'The request has failed due to a temporary failure of the server.' });
    if (mobile === SANDBOX_MOBILES.timeout) {
      await hang(request, reply, deps.upstreamTimeoutMs);
      return reply.code(504).send({ Code: 'ServiceTimeout', Message: 'too late' });
    }
    const code = typeof templateParam.code === 'string' ? templateParam.code : null;
    await deps.outbox.add({
      provider: 'aliyun',
      mobile,
      code,
      template: params.TemplateCode!,
      text: code === null ? `【${params.SignName}】${params.TemplateCode} ${params.TemplateParam ?? ''}` : codeText(params.SignName!, code),
    });
    return ok({ Code: 'OK', Message: 'OK', BizId: `${Date.now()}^0` });
  };
  app.get('/', handler);
  app.post('/', handler);
}
