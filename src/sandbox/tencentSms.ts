import { createHash, createHmac } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { constantTimeEqual } from '../kernel/secrets.ts';
import type { SandboxDeps } from './deps.ts';
import { tencentCredentials } from '../upstream/sms/index.ts';
import { hang, MAINLAND_MOBILE, requestId, SANDBOX_MOBILES } from './behaviour.ts';
import { codeText } from './sms.ts';

const AUTH =
  /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d{2}-\d{2})\/([a-z0-9-]+)\/tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;
const WINDOW_S = 300;

/**
 * Recomputes a TC3-HMAC-SHA256 signature from the request as received, over whichever headers the
 * caller declared in SignedHeaders (written apart from the adapter's signer, from the algorithm's
 * text, so a mistake in one does not hide in the other).
 */
function expectedSignature(
  secretKey: string,
  headers: Record<string, unknown>,
  signed: string[],
  payload: Buffer,
  ts: string,
  date: string,
  service: string,
): string {
  const sha = (d: string | Buffer) => createHash('sha256').update(d).digest('hex');
  const canonicalHeaders = signed
    .map(
      (h) =>
        `${h}:${String(headers[h] ?? '')
          .trim()
          .toLowerCase()}\n`,
    )
    .join('');
  const canonical = `POST\n/\n\n${canonicalHeaders}\n${signed.join(';')}\n${sha(payload)}`;
  const toSign = `TC3-HMAC-SHA256\n${ts}\n${date}/${service}/tc3_request\n${sha(canonical)}`;
  let key: Buffer = createHmac('sha256', `TC3${secretKey}`).update(date).digest();
  key = createHmac('sha256', key).update(service).digest();
  key = createHmac('sha256', key).update('tc3_request').digest();
  return createHmac('sha256', key).update(toSign).digest('hex');
}

/**
 * Simulator of Tencent Cloud SMS `SendSms` (API 3.0, 2021-01-11) at `/sandbox/tencent-sms`: checks
 * the X-TC-* headers, the timestamp (±5 min), the SecretId and the TC3 signature with the
 * configured SecretKey, then SmsSdkAppId, SignName and TemplateId against the configuration, and
 * answers per number in `SendStatusSet`, writing the outbox for each number sent.
 */
export async function tencentSmsSimulator(app: FastifyInstance, { deps }: { deps: SandboxDeps }): Promise<void> {
  app.post('/', async (request, reply) => {
    const RequestId = requestId();
    const error = (Code: string, Message: string) => reply.code(200).send({ Response: { Error: { Code, Message }, RequestId } });
    const h = request.headers as Record<string, unknown>;
    if (h['x-tc-action'] !== 'SendSms') return error('InvalidAction', 'The requested action does not exist.');
    if (h['x-tc-version'] !== '2021-01-11') return error('InvalidParameter', 'The X-TC-Version header is not 2021-01-11.');
    if (typeof h['x-tc-region'] !== 'string' || h['x-tc-region'] === '')
      return error('MissingParameter', 'The X-TC-Region header is missing.');
    const ts = String(h['x-tc-timestamp'] ?? '');
    if (!/^\d{1,12}$/.test(ts)) return error('MissingParameter', 'The X-TC-Timestamp header is missing or not a number.');
    if (Math.abs(Date.now() / 1000 - Number(ts)) > WINDOW_S)
      return error('AuthFailure.SignatureExpire', 'Signature expired. Timestamp and server time cannot differ by more than five minutes.');
    const auth = AUTH.exec(String(h.authorization ?? ''));
    if (!auth) return error('AuthFailure.InvalidAuthorization', 'The Authorization header is not a TC3-HMAC-SHA256 authorization.');
    const [, secretId, date, service, signedList, signature] = auth as unknown as [string, string, string, string, string, string];
    const creds = tencentCredentials(deps.sms);
    if (!constantTimeEqual(secretId, creds.secretId)) return error('AuthFailure.SecretIdNotFound', 'The SecretId is not found.');
    const signed = signedList.split(';');
    const dateOfTs = new Date(Number(ts) * 1000).toISOString().slice(0, 10);
    const payload = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    if (
      service !== 'sms' ||
      date !== dateOfTs ||
      !signed.includes('content-type') ||
      !signed.includes('host') ||
      [...signed].sort().join(';') !== signedList ||
      !constantTimeEqual(signature, expectedSignature(creds.secretKey, h, signed, payload, ts, date, service))
    ) {
      return error(
        'AuthFailure.SignatureFailure',
        'The provided credentials could not be validated. Please check your signature is correct.',
      );
    }

    let body: Record<string, unknown>;
    try {
      body = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('not an object');
    } catch {
      return error('InvalidParameter', 'The request body is not a JSON object.');
    }
    const phones = body.PhoneNumberSet;
    if (!Array.isArray(phones) || phones.length === 0 || !phones.every((p) => typeof p === 'string')) {
      return error('MissingParameter', 'PhoneNumberSet is required.');
    }
    if (body.SmsSdkAppId !== creds.sdkAppId) return error('InvalidParameterValue.SdkAppIdNotExist', 'The SdkAppId does not exist.');
    if (body.SignName !== creds.signName)
      return error('FailedOperation.SignatureIncorrectOrUnapproved', 'The signature is incorrect or unapproved.');
    if (body.TemplateId !== creds.templateId)
      return error('FailedOperation.TemplateIncorrectOrUnapproved', 'The template is incorrect or unapproved.');
    const params = body.TemplateParamSet ?? [];
    if (!Array.isArray(params) || !params.every((p) => typeof p === 'string'))
      return error('InvalidParameterValue.TemplateParameterFormatError', 'TemplateParamSet must be strings.');

    const numbers = (phones as string[]).map((p) => ({ given: p, mobile: p.replace(/^(\+86|0086|86)/, '') }));
    if (numbers.some((n) => n.mobile === SANDBOX_MOBILES.down)) return reply.code(503).send('Service Unavailable');
    if (numbers.some((n) => n.mobile === SANDBOX_MOBILES.timeout)) {
      await hang(request, reply, deps.upstreamTimeoutMs);
      return error('InternalError.Timeout', 'too late');
    }
    const SendStatusSet = [];
    for (const n of numbers) {
      const status = (Code: string, Message: string) => ({
        SerialNo: '',
        PhoneNumber: n.given,
        Fee: 0,
        SessionContext: '',
        Code,
        Message,
        IsoCode: 'CN',
      });
      if (!MAINLAND_MOBILE.test(n.mobile)) {
        SendStatusSet.push(status('InvalidParameterValue.IncorrectPhoneNumber', 'incorrect phone number'));
      } else if (n.mobile === SANDBOX_MOBILES.refused) {
        SendStatusSet.push(
          status(
            'LimitExceeded.PhoneNumberDailyLimit',
            'the number of sms messages sent from a single mobile number every day exceeds the upper limit',
          ),
        );
      } else {
        const [code, minutes] = params as string[];
        await deps.outbox.add({
          provider: 'tencent',
          mobile: n.mobile,
          code: code ?? null,
          template: String(body.TemplateId),
          text:
            code === undefined
              ? `【${String(body.SignName)}】${String(body.TemplateId)}`
              : codeText(String(body.SignName), code, minutes === undefined ? undefined : Number(minutes)),
        });
        SendStatusSet.push({ ...status('Ok', 'send success'), SerialNo: `2028:${Date.now()}`, Fee: 1 });
      }
    }
    return reply.code(200).send({ Response: { SendStatusSet, RequestId } });
  });
}
