import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { escapeHtml, htmlPage, pageHeaders } from '../kernel/html.ts';
import { sha256Hex } from '../kernel/secrets.ts';
import { hang } from './behaviour.ts';
import type { SandboxDeps } from './deps.ts';
import { sandboxOpenid, sandboxUnionid } from './wechat.ts';
import { wechatAnswer, wechatFailure } from './wechatReplies.ts';

/**
 * Simulator of WeChat web authorization (网页授权).
 *
 * The authorize page, mounted at `/sandbox/wechat-open` in place of `https://open.weixin.qq.com`:
 * `GET /connect/oauth2/authorize?appid&redirect_uri&response_type=code&scope&state` shows which
 * official account asks, and lets a person type (or pick) a sandbox user and approve or refuse.
 * Approving redirects to `redirect_uri?code=CODE&state=STATE` as WeChat does, refusing to
 * `redirect_uri?state=STATE` (no code). Adding `sandbox_user=NAME` approves as NAME at once, with
 * no page (for tests and scripts). A user is 1–64 of [A-Za-z0-9_]. As WeChat refuses a
 * `redirect_uri` outside the official account's 网页授权域名 (`10003 redirect_uri域名与后台配置不一致`),
 * the sandbox refuses one whose host is not the host this page is served on: in sandbox mode that
 * is KAIFANG_PUBLIC_URL's (the login broker sends browsers to `KAIFANG_PUBLIC_URL/sandbox/wechat-open`),
 * so a callback built on another base shows here first, as it would with WeChat.
 *
 * The code exchange, mounted at `/sandbox/wechat`: `GET /sns/oauth2/access_token?appid&secret&code
 * &grant_type=authorization_code` → `{access_token, expires_in, refresh_token, openid, scope,
 * unionid?}`. A code works once, for the appid it was made for, for 5 minutes (then 40163 used,
 * 40029 unknown or another appid's). The openid is the same as the mini-program simulator's for
 * that (appid, user); users starting `u` have a unionid. Users reach WeChat's errors: `invalid…`
 * → 40029, `used…` → 40163, `expired…` → 42003, `busy…` → -1, `timeout…` → no answer within the
 * adapters' timeout, `garbage…` → a 200 that is not JSON. A secret starting `wrong` → 40125.
 */

const APPID = /^wx[0-9A-Za-z]{16}$/;
const USER = /^[A-Za-z0-9_]{1,64}$/;
const CODE_TTL_MS = 5 * 60_000;
const SUGGESTED_USERS = ['alice', 'bob', 'ucarol', 'expired_code', 'used_code', 'invalid_code', 'busy', 'timeout', 'garbage'];

const one = (q: unknown, name: string) => {
  const v = (q as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : undefined;
};

interface AuthorizeRequest {
  appid: string;
  redirectUri: URL;
  scope: string;
  state: string;
}

/**
 * The authorize request's parameters as WeChat checks them, or what is wrong (WeChat shows an error
 * page). `authorizedHost` is the sandbox official account's 网页授权域名: the host this page is on.
 */
function authorizeRequest(query: unknown, authorizedHost: string): AuthorizeRequest | string {
  const appid = one(query, 'appid') ?? '';
  const redirect = one(query, 'redirect_uri') ?? '';
  const scope = one(query, 'scope') ?? '';
  const state = one(query, 'state') ?? '';
  if (!APPID.test(appid)) return 'appid 参数错误 (10002): appid must be "wx" and 16 letters or digits';
  let redirectUri: URL;
  try {
    redirectUri = new URL(redirect);
  } catch {
    return 'redirect_uri 参数错误 (10003): not an absolute URL';
  }
  if (redirectUri.protocol !== 'http:' && redirectUri.protocol !== 'https:') return 'redirect_uri 参数错误 (10003): must be http(s)';
  if (redirectUri.host.toLowerCase() !== authorizedHost.toLowerCase())
    return `10003 redirect_uri域名与后台配置不一致：redirect_uri 的主机是 ${redirectUri.host}，沙箱公众号的网页授权域名是 ${authorizedHost}（KAIFANG_PUBLIC_URL 的主机）`;
  if (one(query, 'response_type') !== 'code') return 'response_type 参数错误 (10004): must be code';
  if (scope !== 'snsapi_base' && scope !== 'snsapi_userinfo') return 'scope 参数错误 (10005): snsapi_base or snsapi_userinfo';
  if (Buffer.byteLength(state) > 128) return 'state 参数错误: at most 128 bytes';
  return { appid, redirectUri, scope, state };
}

function errorPage(reply: FastifyReply, message: string) {
  return reply
    .code(400)
    .headers(pageHeaders())
    .header('content-type', 'text/html; charset=utf-8')
    .send(htmlPage('微信授权出错', `<main><h1>Oops! 微信授权出错</h1><p>${escapeHtml(message)}</p></main>`));
}

// WeChat's green darkened to WCAG AA on white (#06793c: 5.5:1) for the account name and 允许's
// white text; the hint in #595959 (7:1). Buttons 44 px high, full width at 390 px, 允许 first.
const PAGE_STYLE =
  '.card{border:1px solid #ddd;border-radius:8px;padding:1.2em}.who{color:#06793c;font-weight:600}label{display:block;margin:1em 0 .3em}input[type=text]{width:100%;box-sizing:border-box;padding:.6em;font-size:1em;min-height:44px}.buttons{display:flex;flex-direction:column;gap:.8em;margin-top:1.2em}button{min-height:44px;padding:.7em;font-size:1em;border-radius:6px;border:1px solid #767676;background:#f7f7f7;color:#333}button.approve{background:#06793c;border-color:#06793c;color:#fff;font-weight:600}button:focus{outline:3px solid #0b57d0;outline-offset:2px}.hint{display:block;margin-top:.4em;font-size:.9em;color:#595959}';

function consentPage(r: AuthorizeRequest, accountName: string | undefined): string {
  const hidden = (name: string, value: string) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
  const options = SUGGESTED_USERS.map((u) => `<option value="${u}">`).join('');
  const title = accountName ? `${escapeHtml(accountName)} (${escapeHtml(r.appid)})` : escapeHtml(r.appid);
  return htmlPage(
    '微信授权 · kaifang 沙箱',
    `<main class="card"><h1>微信授权（沙箱）</h1>
<p>公众号 <span class="who" id="account">${title}</span> 申请获得你的身份（${r.scope === 'snsapi_base' ? 'openid' : 'openid 与昵称、头像'}），完成后返回 <span id="site">${escapeHtml(r.redirectUri.host)}</span>。</p>
<form method="get" action="decide">
${hidden('appid', r.appid)}${hidden('redirect_uri', r.redirectUri.toString())}${hidden('response_type', 'code')}${hidden('scope', r.scope)}${hidden('state', r.state)}
<label for="user">以哪位沙箱用户登录</label>
<input type="text" id="user" name="user" list="users" required minlength="1" maxlength="64" pattern="[A-Za-z0-9_]{1,64}" autocomplete="off" autocapitalize="off" spellcheck="false" enterkeyhint="go" placeholder="alice" aria-describedby="user-rule" title="1–64 位英文字母、数字或下划线">
<datalist id="users">${options}</datalist>
<span class="hint" id="user-rule">用户名：1–64 位英文字母、数字或下划线（_）。同一用户名总得到同一 openid；expired_code、used_code、invalid_code、busy、timeout、garbage 模拟微信的各种错误。</span>
<div class="buttons"><button type="submit" name="decision" value="approve" class="approve" id="approve">允许</button><button type="submit" name="decision" value="refuse" formnovalidate id="refuse">拒绝</button></div>
</form></main>`,
    PAGE_STYLE,
  );
}

export async function wechatOpenSimulator(app: FastifyInstance, { deps }: { deps: SandboxDeps }): Promise<void> {
  /** Approves as `user`: a one-time code for this appid, and WeChat's redirect. */
  async function approve(reply: FastifyReply, r: AuthorizeRequest, user: string) {
    const code = randomBytes(16).toString('hex');
    await deps.state.set(codeKey(code), JSON.stringify({ appid: r.appid, user, scope: r.scope }), CODE_TTL_MS);
    const back = new URL(r.redirectUri);
    back.searchParams.set('code', code);
    back.searchParams.set('state', r.state);
    return reply.code(302).header('location', back.toString()).header('cache-control', 'no-store').send();
  }

  app.get('/connect/oauth2/authorize', async (request, reply) => {
    const r = authorizeRequest(request.query, request.host);
    if (typeof r === 'string') return errorPage(reply, r);
    const user = one(request.query, 'sandbox_user');
    if (user !== undefined)
      return USER.test(user) ? approve(reply, r, user) : errorPage(reply, 'sandbox_user must be 1–64 of A-Z a-z 0-9 _');
    const account = await deps.db.selectFrom('wechat_official_accounts').select('name').where('appid', '=', r.appid).executeTakeFirst();
    return reply
      .code(200)
      .headers(pageHeaders(PAGE_STYLE))
      .header('content-type', 'text/html; charset=utf-8')
      .send(consentPage(r, account?.name));
  });

  app.get('/connect/oauth2/decide', async (request, reply) => {
    const r = authorizeRequest(request.query, request.host);
    if (typeof r === 'string') return errorPage(reply, r);
    if (one(request.query, 'decision') === 'refuse') {
      const back = new URL(r.redirectUri);
      back.searchParams.set('state', r.state);
      return reply.code(302).header('location', back.toString()).send();
    }
    const user = one(request.query, 'user') ?? '';
    if (!USER.test(user)) return errorPage(reply, 'the sandbox user must be 1–64 of A-Z a-z 0-9 _: go back and type one');
    return approve(reply, r, user);
  });
}

const codeKey = (code: string) => `sandbox:wechat:webcode:${sha256Hex(code)}`;
const usedKey = (code: string) => `sandbox:wechat:webcode-used:${sha256Hex(code)}`;

export async function wechatWebAuthSimulator(app: FastifyInstance, { deps }: { deps: SandboxDeps }): Promise<void> {
  app.get('/sns/oauth2/access_token', async (request, reply) => {
    const appid = one(request.query, 'appid');
    const secret = one(request.query, 'secret');
    const code = one(request.query, 'code');
    if (!appid) return wechatFailure(reply, 41002, 'appid missing');
    if (!secret) return wechatFailure(reply, 41004, 'appsecret missing');
    if (secret.startsWith('wrong')) return wechatFailure(reply, 40125, 'invalid appsecret');
    if (!code) return wechatFailure(reply, 41008, 'missing code');
    if (one(request.query, 'grant_type') !== 'authorization_code') return wechatFailure(reply, 40002, 'invalid grant_type');

    const stored = await deps.state.take(codeKey(code));
    if (stored === null)
      return (await deps.state.get(usedKey(code))) === null
        ? wechatFailure(reply, 40029, 'invalid code')
        : wechatFailure(reply, 40163, 'code been used');
    await deps.state.set(usedKey(code), '1', CODE_TTL_MS);
    const grant = JSON.parse(stored) as { appid: string; user: string; scope: string };
    if (grant.appid !== appid) return wechatFailure(reply, 40029, 'invalid code');

    const user = grant.user;
    if (user.startsWith('invalid')) return wechatFailure(reply, 40029, 'invalid code');
    if (user.startsWith('used')) return wechatFailure(reply, 40163, 'code been used');
    if (user.startsWith('expired')) return wechatFailure(reply, 42003, 'code expired');
    if (user.startsWith('busy')) return wechatFailure(reply, -1, 'system error');
    if (user.startsWith('garbage'))
      return reply.code(200).header('content-type', 'text/html').send('<html><body>502 Bad Gateway</body></html>');
    if (user.startsWith('timeout')) {
      await hang(request, reply, deps.upstreamTimeoutMs);
      return wechatFailure(reply, -1, 'system error');
    }
    return wechatAnswer(reply, {
      access_token: randomBytes(48).toString('base64url'),
      expires_in: 7200,
      refresh_token: randomBytes(48).toString('base64url'),
      openid: sandboxOpenid(appid, user),
      scope: grant.scope,
      ...(user.startsWith('u') ? { unionid: sandboxUnionid(user) } : {}),
    });
  });
}
