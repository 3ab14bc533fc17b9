import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { SandboxDeps } from './deps.ts';
import { hang } from './behaviour.ts';
import { wechatAnswer as answer, wechatFailure as fail } from './wechatReplies.ts';

/**
 * Simulator of WeChat `GET /sns/jscode2session`, mounted at `/sandbox/wechat`. Deterministic:
 *
 * - `js_code` = `sandbox-<user>[-<anything>]`, `<user>` = 1–64 of [A-Za-z0-9_], the suffix (up to
 *   128 of [A-Za-z0-9_.~-]) only makes the code unique. Success gives the same `openid` for the
 *   same (appid, user), a fresh `session_key`, and a `unionid` (same for the user across appids)
 *   when `<user>` starts with `u`. A code works once: reused within 5 minutes → 40163.
 * - Reserved users: `freq…` → 45011, `risky…` → 40226, `busy…` → -1, `timeout…` → no answer until
 *   after the adapters' timeout, `garbage…` → a 200 that is not JSON, `unavailable…` → HTTP 503.
 *   These codes are not consumed, so they answer the same every time.
 * - Anything else (e.g. `invalid`) → 40029. Missing appid → 41002, missing secret → 41004, empty
 *   secret → 40125, missing js_code → 41008, grant_type other than authorization_code → 40002.
 *   Any appid and non-empty secret are accepted: the simulator knows no mini-programs.
 */

const CODE = /^sandbox-([A-Za-z0-9_]{1,64})(?:-[A-Za-z0-9_.~-]{0,128})?$/;
const IDENTITY_KEY = 'kaifang-sandbox';
const USED_TTL_MS = 5 * 60_000;

const b64url = (buf: Buffer) => buf.toString('base64url');

/** The openid the simulator gives `user` of mini-program `appid`: 'o' + 27 chars. */
export function sandboxOpenid(appid: string, user: string): string {
  return 'o' + b64url(createHmac('sha256', IDENTITY_KEY).update(`${appid}|${user}`, 'utf8').digest()).slice(0, 27);
}

/** The unionid of `user` (only users whose name starts with `u` have one): 'o' + 27 chars. */
export function sandboxUnionid(user: string): string {
  return 'o' + b64url(createHmac('sha256', IDENTITY_KEY).update(`unionid|${user}`, 'utf8').digest()).slice(0, 27);
}

export async function wechatSimulator(app: FastifyInstance, { deps }: { deps: SandboxDeps }): Promise<void> {
  app.get('/sns/jscode2session', async (request, reply) => {
    const q = request.query as Record<string, string | string[] | undefined>;
    const one = (name: string) => (typeof q[name] === 'string' ? (q[name] as string) : undefined);
    const appid = one('appid');
    const secret = one('secret');
    const jsCode = one('js_code');
    const grantType = one('grant_type');
    if (!appid) return fail(reply, 41002, 'appid missing');
    if (secret === undefined) return fail(reply, 41004, 'appsecret missing');
    if (secret === '') return fail(reply, 40125, 'invalid appsecret');
    if (!jsCode) return fail(reply, 41008, 'missing code');
    if (grantType !== 'authorization_code') return fail(reply, 40002, 'invalid grant_type');

    const m = CODE.exec(jsCode);
    if (!m) return fail(reply, 40029, 'invalid code');
    const user = m[1]!;
    if (user.startsWith('freq')) return fail(reply, 45011, 'api minute-quota reach limit  mustslower  retry next minute');
    if (user.startsWith('risky')) return fail(reply, 40226, 'code blocked');
    if (user.startsWith('busy')) return fail(reply, -1, 'system error');
    if (user.startsWith('garbage'))
      return reply.code(200).header('content-type', 'text/html').send('<html><body>502 Bad Gateway</body></html>');
    if (user.startsWith('unavailable'))
      return reply.code(503).header('content-type', 'text/html').send('<html><body>503 Service Unavailable</body></html>');
    if (user.startsWith('timeout')) {
      await hang(request, reply, deps.upstreamTimeoutMs);
      return fail(reply, -1, 'system error');
    }

    const usedKey = `sandbox:wechat:used:${createHash('sha256').update(jsCode).digest('hex')}`;
    if (!(await deps.state.putIfAbsent(usedKey, '1', USED_TTL_MS))) return fail(reply, 40163, 'code been used');

    const session = {
      session_key: randomBytes(16).toString('base64'),
      openid: sandboxOpenid(appid, user),
      ...(user.startsWith('u') ? { unionid: sandboxUnionid(user) } : {}),
    };
    return answer(reply, session);
  });

  /** Not a WeChat API: tells an integrator in advance which identity a sandbox user will get. */
  app.get('/identity', async (request, reply) => {
    const q = request.query as Record<string, unknown>;
    const appid = typeof q.appid === 'string' ? q.appid : '';
    const user = typeof q.user === 'string' ? q.user : '';
    if (appid === '' || !/^[A-Za-z0-9_]{1,64}$/.test(user)) {
      return reply.code(400).send({ error: 'give appid and user (1-64 of A-Z a-z 0-9 _)' });
    }
    return {
      appid,
      user,
      js_code: `sandbox-${user}-${randomBytes(4).toString('hex')}`,
      openid: sandboxOpenid(appid, user),
      ...(user.startsWith('u') ? { unionid: sandboxUnionid(user) } : {}),
    };
  });
}
