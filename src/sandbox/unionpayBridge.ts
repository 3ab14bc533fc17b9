import { createHmac } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { constantTimeEqual } from '../kernel/secrets.ts';
import { SANDBOX_BRIDGE_SECRET } from '../upstream/unionpay.ts';
import { hang } from './behaviour.ts';
import type { SandboxDeps } from './deps.ts';

/**
 * Simulator of a UnionPay acquirer bridge (the contract of the README's "Writing a UnionPay
 * bridge"), mounted at `/sandbox/unionpay-bridge`: checks `X-Kaifang-Signature` (HMAC-SHA256 of
 * the body with `SANDBOX_BRIDGE_SECRET`, written out here apart from the adapter) and a timestamp
 * within 5 minutes, answers `{code, msg, userId}` signed the same way.
 *
 * `userAuthCode` decides the answer: `sandbox-<user>[-…]` (or any other code, as the user itself)
 * → `000000` with a stable `userId` per user; codes starting `expired` → AUTHCODE_EXPIRE, `invalid`
 * → AUTHCODE_INVALID, `error` → SYSTEM_ERROR, `badsign` → an answer signed with another secret,
 * `garbage` → a 200 that is not JSON, `down` → HTTP 503, `timeout` → no answer within the
 * adapters' timeout. `GET /sandbox/unionpay-bridge/calls` counts the requests this process received.
 */

const sign = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;

export function sandboxUnionPayUserId(userAuthCode: string): string {
  const user = /^sandbox-([A-Za-z0-9_]{1,64})(?:-.*)?$/.exec(userAuthCode)?.[1] ?? userAuthCode;
  return 'U' + createHmac('sha256', 'kaifang-sandbox').update(`unionpay|${user}`, 'utf8').digest('hex').slice(0, 27);
}

function answer(reply: FastifyReply, body: Record<string, unknown>, secret = SANDBOX_BRIDGE_SECRET) {
  const text = JSON.stringify(body);
  return reply
    .code(200)
    .header('content-type', 'application/json; charset=utf-8')
    .header('x-kaifang-signature', sign(secret, text))
    .send(text);
}

export async function unionPayBridgeSimulator(app: FastifyInstance, { deps }: { deps: SandboxDeps }): Promise<void> {
  let calls = 0;
  app.post('/', async (request, reply) => {
    calls++;
    const raw = Buffer.isBuffer(request.body) ? request.body.toString('utf8') : '';
    if (!constantTimeEqual(String(request.headers['x-kaifang-signature'] ?? ''), sign(SANDBOX_BRIDGE_SECRET, raw))) {
      return answer(reply, { code: 'SIGN_ERROR', msg: 'X-Kaifang-Signature does not verify' });
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return answer(reply, { code: 'PARAM_ERROR', msg: 'the body is not JSON' });
    }
    if (typeof body.timestamp !== 'number' || Math.abs(Date.now() / 1000 - body.timestamp) > 300)
      return answer(reply, { code: 'PARAM_ERROR', msg: 'timestamp is missing or stale' });
    const code = body.userAuthCode;
    if (typeof code !== 'string' || code === '' || typeof body.merchantNo !== 'string' || typeof body.requestId !== 'string') {
      return answer(reply, { code: 'PARAM_ERROR', msg: 'userAuthCode, merchantNo and requestId are required' });
    }
    if (code.startsWith('expired')) return answer(reply, { code: 'AUTHCODE_EXPIRE', msg: '授权码已过期' });
    if (code.startsWith('invalid')) return answer(reply, { code: 'AUTHCODE_INVALID', msg: '授权码无效' });
    if (code.startsWith('error')) return answer(reply, { code: 'SYSTEM_ERROR', msg: '收单机构系统错误' });
    if (code.startsWith('badsign')) return answer(reply, { code: '000000', msg: 'success', userId: 'UForged' }, 'not-the-secret');
    if (code.startsWith('garbage')) return reply.code(200).header('content-type', 'text/html').send('<html>502</html>');
    if (code.startsWith('down')) return reply.code(503).send('Service Unavailable');
    if (code.startsWith('timeout')) {
      await hang(request, reply, deps.upstreamTimeoutMs);
      return answer(reply, { code: 'SYSTEM_ERROR', msg: 'too late' });
    }
    return answer(reply, { code: '000000', msg: 'success', userId: sandboxUnionPayUserId(code) });
  });
  app.get('/calls', async () => ({ requests: calls }));
}
