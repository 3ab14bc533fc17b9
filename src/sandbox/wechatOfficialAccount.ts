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
 *   and a bad appid → 40013; missing ones → 41002/41004, another grant_type → 40002. As WeChat does,
 *   each fetch ends the account's previous `cgi-bin/token` tokens 5 minutes later (another backend
 *   fetching for the same account ends kaifang's token, and the reverse).
 * - `POST /cgi-bin/stable_token` JSON `{grant_type, appid, secret, force_refresh?}`: the stable
 *   token, kept apart from `cgi-bin/token`'s. Normal mode gives every caller the same token until
 *   its last 5 minutes, then a new one (the old one works to its end); `force_refresh: true` makes
 *   a new one and ends the old at once.
 * - Secrets that reach the platform's own failures, on both token endpoints: `ipblocked…` → 40164
 *   (caller IP not whitelisted); `stale…` → a token every send refuses with 40001 (as when another
 *   party keeps ending it); `unauthorized…` → a token whose sends get 48001 (API not authorized).
 * - `POST /cgi-bin/message/template/send?access_token` with the message as JSON → `{errcode: 0,
 *   errmsg: "ok", msgid}`, the message kept in the inbox (`GET /admin/api/sandbox/template-messages`).
 *   No or an unknown token → 41001 / 40001; an expired one → 42001. By `touser`: `unsubscribed…`
 *   → 43004, `invalid…` → 40003, `limited…` → 45009, `timeout…` → no answer within the adapters'
 *   timeout, `garbage…` → a 200 that is not JSON. A `template_id` starting `bad` → 40037.
 * - Tokens live in the store, so every process's simulator knows every token; each fetch is counted.
 *   Not WeChat APIs, for tests and integrators: `GET /token-fetches?appid` → `{appid, fetches}`
 *   (calls of both token endpoints); `POST /expire-tokens?appid` ends the account's tokens now (the
 *   next send gets 42001).
 */

const APPID = /^wx[0-9A-Za-z]{16}$/;
const TOKEN_TTL_S = 7200;
/** WeChat's overlap: a replaced token works this much longer; a stable token is renewed in its last this much. */
const OVERLAP_MS = 5 * 60_000;
/** Stable tokens' rows are told apart from `cgi-bin/token`'s by this mark on their hash; fetches of a stable token that give the same one leave a row of their own, to be counted. */
const STABLE = 's:';
const STABLE_FETCH = 'stable-fetch:';
/** A token's own behaviour rides in its text (the simulator keeps only hashes): what its secret asked for. */
const TOKEN_MARKS: [secretPrefix: string, tokenPrefix: string][] = [
  ['stale', 'STALE_'],
  ['unauthorized', 'NOAUTH_'],
];

const one = (q: unknown, name: string) => {
  const v = (q as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : undefined;
};

export async function wechatOfficialAccountSimulator(app: FastifyInstance, { deps }: { deps: SandboxDeps }): Promise<void> {
  const { db, clock } = deps;

  /** The checks both token endpoints make, WeChat's refusal when one fails. */
  const refusal = (grantType: string | undefined, appid: string | undefined, secret: string | undefined): [number, string] | undefined => {
    if (grantType !== 'client_credential') return [40002, 'invalid grant_type'];
    if (!appid) return [41002, 'appid missing'];
    if (!APPID.test(appid)) return [40013, 'invalid appid'];
    if (!secret) return [41004, 'appsecret missing'];
    if (secret.startsWith('wrong')) return [40125, 'invalid appsecret'];
    if (secret.startsWith('ipblocked')) return [40164, 'invalid ip 127.0.0.1 ipv6 ::ffff:127.0.0.1, not in whitelist'];
    return undefined;
  };
  const newToken = (secret: string) =>
    `${TOKEN_MARKS.find(([s]) => secret.startsWith(s))?.[1] ?? ''}${randomBytes(48).toString('base64url')}`;

  app.get('/cgi-bin/token', async (request, reply) => {
    const appid = one(request.query, 'appid');
    const secret = one(request.query, 'secret');
    const refused = refusal(one(request.query, 'grant_type'), appid, secret);
    if (refused) return wechatFailure(reply, ...refused);
    const token = newToken(secret!);
    const now = clock.now();
    await db.transaction().execute(async (trx) => {
      // A new token ends the previous ones 5 minutes from now (not the stable endpoint's: those are apart).
      await trx
        .updateTable('sandbox_wechat_tokens')
        .set({ expires_at: now + OVERLAP_MS })
        .where('appid', '=', appid!)
        .where('token_hash', 'not like', `${STABLE}%`)
        .where('expires_at', '>', now + OVERLAP_MS)
        .execute();
      await trx
        .insertInto('sandbox_wechat_tokens')
        .values({ appid: appid!, token_hash: sha256Hex(token), fetched_at: now, expires_at: now + TOKEN_TTL_S * 1000 })
        .execute();
    });
    return wechatAnswer(reply, { access_token: token, expires_in: TOKEN_TTL_S });
  });

  app.post('/cgi-bin/stable_token', async (request, reply) => {
    let body: { grant_type?: unknown; appid?: unknown; secret?: unknown; force_refresh?: unknown };
    try {
      body = JSON.parse(Buffer.isBuffer(request.body) ? request.body.toString('utf8') : '') as typeof body;
      if (typeof body !== 'object' || body === null) throw new Error('not an object');
    } catch {
      return wechatFailure(reply, 47001, 'data format error');
    }
    const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
    const appid = text(body.appid);
    const secret = text(body.secret);
    const refused = refusal(text(body.grant_type), appid, secret);
    if (refused) return wechatFailure(reply, ...refused);
    const now = clock.now();
    // Every fetch is counted, also one that gets the same token again.
    await db
      .insertInto('sandbox_wechat_tokens')
      .values({ appid: appid!, token_hash: `${STABLE_FETCH}${randomBytes(8).toString('hex')}`, fetched_at: now, expires_at: 0 })
      .execute();
    const currentKey = `sandbox:wechat:stable:${appid}`;
    const stored = await deps.state.get(currentKey);
    const current = stored === null ? undefined : (JSON.parse(stored) as { token: string; expiresAt: number; secret: string });
    const live =
      current &&
      current.secret === sha256Hex(secret!) &&
      (await db
        .selectFrom('sandbox_wechat_tokens')
        .select('expires_at')
        .where('token_hash', '=', `${STABLE}${sha256Hex(current.token)}`)
        .executeTakeFirst());
    if (body.force_refresh !== true && current && live && Number(live.expires_at) - now > OVERLAP_MS)
      return wechatAnswer(reply, { access_token: current.token, expires_in: Math.floor((Number(live.expires_at) - now) / 1000) });
    const token = newToken(secret!);
    const expiresAt = now + TOKEN_TTL_S * 1000;
    await db.transaction().execute(async (trx) => {
      // A forced refresh ends the previous stable token at once; a renewal leaves it to its own end.
      if (body.force_refresh === true)
        await trx
          .updateTable('sandbox_wechat_tokens')
          .set({ expires_at: now })
          .where('appid', '=', appid!)
          .where('token_hash', 'like', `${STABLE}%`)
          .where('expires_at', '>', now)
          .execute();
      await trx
        .insertInto('sandbox_wechat_tokens')
        .values({ appid: appid!, token_hash: `${STABLE}${sha256Hex(token)}`, fetched_at: now, expires_at: expiresAt })
        .execute();
    });
    // The state's TTL runs on the wall clock: kept a day past the token's own end.
    await deps.state.set(currentKey, JSON.stringify({ token, expiresAt, secret: sha256Hex(secret!) }), TOKEN_TTL_S * 1000 + 86_400_000);
    return wechatAnswer(reply, { access_token: token, expires_in: TOKEN_TTL_S });
  });

  app.post('/cgi-bin/message/template/send', async (request, reply) => {
    const token = one(request.query, 'access_token');
    if (!token) return wechatFailure(reply, 41001, 'access_token missing');
    const row = await db
      .selectFrom('sandbox_wechat_tokens')
      .select(['appid', 'expires_at'])
      .where('token_hash', 'in', [sha256Hex(token), `${STABLE}${sha256Hex(token)}`])
      .executeTakeFirst();
    if (!row || token.startsWith('STALE_')) return wechatFailure(reply, 40001, 'invalid credential, access_token is invalid or not latest');
    if (Number(row.expires_at) <= clock.now()) return wechatFailure(reply, 42001, 'access_token expired');
    if (token.startsWith('NOAUTH_')) return wechatFailure(reply, 48001, 'api unauthorized');

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
      .where('token_hash', 'not like', `${STABLE}%`)
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
    await deps.state.del(`sandbox:wechat:stable:${appid}`);
    return { appid, expired: Number(res.numUpdatedRows) };
  });
}
