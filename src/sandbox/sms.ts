import { createHmac } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { constantTimeEqual } from '../kernel/secrets.ts';
import type { SandboxDeps } from './deps.ts';
import { webhookSecret } from '../upstream/sms/index.ts';
import { hang, MAINLAND_MOBILE, SANDBOX_MOBILES } from './behaviour.ts';

/** The text a phone would show for a verification code. */
export function codeText(signName: string, code: string, minutes?: number): string {
  return minutes === undefined ? `【${signName}】您的验证码是${code}。` : `【${signName}】您的验证码是${code}，${minutes}分钟内有效。`;
}

function parseJson(raw: unknown): Record<string, unknown> | undefined {
  if (!Buffer.isBuffer(raw)) return undefined;
  try {
    const v = JSON.parse(raw.toString('utf8')) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Mounted at `/sandbox/sms`:
 * - `POST /send` `{mobile, code, minutes}` — the `sandbox` provider's own protocol:
 *   `{"status":"SENT","id"}` or `{"status":"REJECTED","code","message"}`.
 * - `POST /webhook` — a receiver for the `webhook` provider: checks `X-Kaifang-Signature` with the
 *   configured secret and answers 2xx when it "sent" the message, 401/429/4xx otherwise.
 * Both honour the special mobiles of `behaviour.ts` and write the outbox.
 */
export async function smsSimulator(app: FastifyInstance, { deps }: { deps: SandboxDeps }): Promise<void> {
  app.post('/send', async (request, reply) => {
    const body = parseJson(request.body);
    const reject = (status: number, code: string, message: string) => reply.code(status).send({ status: 'REJECTED', code, message });
    if (!body) return reject(400, 'INVALID_REQUEST', 'send a JSON object {mobile, code, minutes}');
    const { mobile, code, minutes } = body;
    if (typeof mobile !== 'string' || !MAINLAND_MOBILE.test(mobile))
      return reject(200, 'MOBILE_NUMBER_ILLEGAL', 'mobile is not a mainland China mobile number');
    if (typeof code !== 'string' || !/^\d{4,8}$/.test(code)) return reject(400, 'INVALID_REQUEST', 'code must be 4-8 digits');
    if (typeof minutes !== 'number' || !Number.isInteger(minutes) || minutes < 1)
      return reject(400, 'INVALID_REQUEST', 'minutes must be a positive integer');
    if (mobile === SANDBOX_MOBILES.refused) return reject(200, 'REJECTED', 'sandbox: this number refuses messages');
    if (mobile === SANDBOX_MOBILES.down) return reply.code(503).send('sandbox SMS is down');
    if (mobile === SANDBOX_MOBILES.timeout) {
      await hang(request, reply, deps.upstreamTimeoutMs);
      return reply.code(504).send('too late');
    }
    await deps.outbox.add({ provider: 'sandbox', mobile, code, template: null, text: codeText('kaifang', code, minutes) });
    return { status: 'SENT' };
  });

  app.post('/webhook', async (request, reply) => {
    const raw = Buffer.isBuffer(request.body) ? request.body.toString('utf8') : '';
    const given = String(request.headers['x-kaifang-signature'] ?? '');
    const expected = `sha256=${createHmac('sha256', webhookSecret(deps.sms)).update(raw, 'utf8').digest('hex')}`;
    if (!constantTimeEqual(given, expected)) return reply.code(401).send('bad X-Kaifang-Signature');
    const body = parseJson(request.body);
    const ts = Number(request.headers['x-kaifang-timestamp']);
    if (!body || !Number.isFinite(ts) || body.timestamp !== ts) return reply.code(400).send('bad body or X-Kaifang-Timestamp');
    if (Math.abs(Date.now() / 1000 - ts) > 300) return reply.code(401).send('stale X-Kaifang-Timestamp');
    const { mobile, code, minutes } = body;
    if (typeof mobile !== 'string' || !MAINLAND_MOBILE.test(mobile))
      return reply.code(422).send('mobile is not a mainland China mobile number');
    if (typeof code !== 'string' || typeof minutes !== 'number') return reply.code(400).send('code and minutes are required');
    if (mobile === SANDBOX_MOBILES.refused) return reply.code(429).send('daily limit of this number reached');
    if (mobile === SANDBOX_MOBILES.down) return reply.code(503).send('gateway down');
    if (mobile === SANDBOX_MOBILES.timeout) {
      await hang(request, reply, deps.upstreamTimeoutMs);
      return reply.code(504).send('too late');
    }
    await deps.outbox.add({ provider: 'webhook', mobile, code, template: null, text: codeText('kaifang', code, minutes) });
    return reply.code(204).send();
  });
}
