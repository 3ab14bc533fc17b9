import { randomBytes, randomInt } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { sha256Hex } from '../kernel/secrets.ts';
import { hang } from './behaviour.ts';
import type { SandboxDeps } from './deps.ts';
import { wechatAnswer, wechatFailure } from './wechatReplies.ts';

/**
 * Simulator of the WeChat official-account API, mounted at `/sandbox/wechat`:
 *
 * - `GET /cgi-bin/token?grant_type=client_credential&appid&secret` → `{access_token, expires_in:
 *   7200}`. Any appid (`wx` + 16) and secret are accepted, except a secret starting `wrong` → 40125
 *   and a bad appid → 40013; missing ones → 41002/41004, another grant_type → 40002. Tokens live in
 *   the store, so every process's simulator knows every token; each fetch is counted.
 * - `POST /cgi-bin/message/template/send?access_token` with the message as JSON → `{errcode: 0,
 *   errmsg: "ok", msgid}`, the message kept in the inbox (`GET /admin/api/sandbox/template-messages`).
 *   No or an unknown token → 41001 / 40001; an expired one → 42001. By `touser`: `unsubscribed…`
 *   → 43004, `invalid…` → 40003, `limited…` → 45009, `timeout…` → no answer within the adapters'
 *   timeout, `garbage…` → a 200 that is not JSON. A `template_id` starting `bad` → 40037.
 * - Not WeChat APIs, for tests and integrators: `GET /token-fetches?appid` → `{appid, fetches}`;
 *   `POST /expire-tokens?appid` ends the account's tokens now (the next send gets 42001).
 */

const APPID = /^wx[0-9A-Za-z]{16}$/;
const TOKEN_TTL_S = 7200;

const one = (q: unknown, name: string) => {
  const v = (q as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : undefined;
};

export async function wechatOfficialAccountSimulator(app: FastifyInstance, { deps }: { deps: SandboxDeps }): Promise<void> {
  const { db, clock } = deps;

  app.get('/cgi-bin/token', async (request, reply) => {
    const appid = one(request.query, 'appid');
    const secret = one(request.query, 'secret');
    if (one(request.query, 'grant_type') !== 'client_credential') return wechatFailure(reply, 40002, 'invalid grant_type');
    if (!appid) return wechatFailure(reply, 41002, 'appid missing');
    if (!APPID.test(appid)) return wechatFailure(reply, 40013, 'invalid appid');
    if (!secret) return wechatFailure(reply, 41004, 'appsecret missing');
    if (secret.startsWith('wrong')) return wechatFailure(reply, 40125, 'invalid appsecret');
    const token = `${randomBytes(48).toString('base64url')}`;
    const now = clock.now();
    await db
      .insertInto('sandbox_wechat_tokens')
      .values({ appid, token_hash: sha256Hex(token), fetched_at: now, expires_at: now + TOKEN_TTL_S * 1000 })
      .execute();
    return wechatAnswer(reply, { access_token: token, expires_in: TOKEN_TTL_S });
  });

  app.post('/cgi-bin/message/template/send', async (request, reply) => {
    const token = one(request.query, 'access_token');
    if (!token) return wechatFailure(reply, 41001, 'access_token missing');
    const row = await db
      .selectFrom('sandbox_wechat_tokens')
      .select(['appid', 'expires_at'])
      .where('token_hash', '=', sha256Hex(token))
      .executeTakeFirst();
    if (!row) return wechatFailure(reply, 40001, 'invalid credential, access_token is invalid or not latest');
    if (Number(row.expires_at) <= clock.now()) return wechatFailure(reply, 42001, 'access_token expired');

    let message: { touser?: unknown; template_id?: unknown; url?: unknown; data?: unknown };
    try {
      message = JSON.parse(Buffer.isBuffer(request.body) ? request.body.toString('utf8') : '') as typeof message;
    } catch {
      return wechatFailure(reply, 47001, 'data format error');
    }
    if (typeof message !== 'object' || message === null) return wechatFailure(reply, 47001, 'data format error');
    const { touser, template_id: templateId, url, data } = message;
    if (typeof touser !== 'string' || touser === '') return wechatFailure(reply, 40003, 'invalid openid');
    if (typeof templateId !== 'string' || templateId === '' || templateId.startsWith('bad'))
      return wechatFailure(reply, 40037, 'invalid template_id');
    if (touser.startsWith('unsubscribed')) return wechatFailure(reply, 43004, 'require subscribe');
    if (touser.startsWith('invalid')) return wechatFailure(reply, 40003, 'invalid openid');
    if (touser.startsWith('limited')) return wechatFailure(reply, 45009, 'reach max api daily quota limit');
    if (touser.startsWith('garbage'))
      return reply.code(200).header('content-type', 'text/html').send('<html><body>502 Bad Gateway</body></html>');
    if (touser.startsWith('timeout')) {
      await hang(request, reply, deps.upstreamTimeoutMs);
      return wechatFailure(reply, -1, 'system error');
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return wechatFailure(reply, 47001, 'data format error');
    // WeChat's msgids are 64-bit numbers; these stay within JSON's exact integers.
    const msgid = randomInt(1e12, 2 ** 48 - 1);
    await deps.templateInbox.add({
      appid: row.appid,
      touser,
      templateId,
      url: typeof url === 'string' ? url : null,
      data: data as Record<string, { value: string }>,
      msgid: String(msgid),
    });
    return wechatAnswer(reply, { errcode: 0, errmsg: 'ok', msgid });
  });

  app.get('/token-fetches', async (request, reply) => {
    const appid = one(request.query, 'appid');
    if (!appid) return reply.code(400).send({ error: 'give appid' });
    const row = await db
      .selectFrom('sandbox_wechat_tokens')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('appid', '=', appid)
      .executeTakeFirstOrThrow();
    return { appid, fetches: Number(row.n) };
  });

  app.post('/expire-tokens', async (request, reply: FastifyReply) => {
    const appid = one(request.query, 'appid');
    if (!appid) return reply.code(400).send({ error: 'give appid' });
    const res = await db
      .updateTable('sandbox_wechat_tokens')
      .set({ expires_at: clock.now() })
      .where('appid', '=', appid)
      .where('expires_at', '>', clock.now())
      .executeTakeFirst();
    return { appid, expired: Number(res.numUpdatedRows) };
  });
}
