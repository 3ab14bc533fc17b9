import { firstMissing, formBody, say, type Check, type FrontDebugger } from '../kit/debugger.ts';
import { opretail } from './signing.ts';

/**
 * The 万店掌 gateway in the integrator's debugger: system parameters filled in (`_aid` from the
 * server, `_akey`, `_timestamp` in China time, `_sig`), signed in the page with signing.ts; and a
 * pasted request checked again in the gateway's order (gateway.ts).
 */

const REQUIRED = ['_akey', '_sm', '_sig', '_mt', '_requestMode', '_aid', '_version', '_timestamp'];
const CST_MS = 8 * 3600_000;

/** `yyyyMMddHHmmss` in China Standard Time. */
function compact(ms: number): string {
  return new Date(ms + CST_MS).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/** ms of a `yyyyMMddHHmmss` China time, or null when it is no real time. */
function parseCompact(text: string): number | null {
  const m = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)$/.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null;
  return ms - CST_MS;
}

const setting = (ctx: { settings: Readonly<Record<string, unknown>> }) =>
  (ctx.settings.opretail ?? {}) as { aid?: string; timestampWindowS?: number };

export const debuggerOf: FrontDebugger = {
  front: 'opretail',
  label: say('万店掌 (Opretail) gateway', '万店掌开放平台网关'),
  credential: {
    id: say('Developer key (_akey)', '开发者密钥 (_akey)'),
    secret: say('Developer secret', '开发者密钥 secret'),
    idField: '_akey',
  },
  filled: ['_aid', '_akey', '_timestamp', '_sig'],
  examples: { _mt: 'open.gateway.authentication', _version: 'v1', _sm: 'md5', _requestMode: 'post', _format: 'json' },
  build(endpoint, values, id, secret, ctx) {
    const params: Record<string, string> = {};
    for (const [n, v] of Object.entries(values)) if (v !== '') params[n] = v;
    params._aid = setting(ctx).aid ?? 'S107';
    params._akey = id;
    params._timestamp = compact(ctx.now);
    const sm = (params._sm ?? 'md5').toLowerCase() === 'sha1' ? 'sha1' : 'md5';
    const stringToSign = opretail.stringToSign(params, secret);
    params._sig = opretail.sign(params, secret, sm);
    const list = Object.entries(params);
    const post = endpoint.method.toUpperCase() !== 'GET';
    return {
      method: post ? 'POST' : 'GET',
      url: post ? endpoint.path : `${endpoint.path}?${formBody(list)}`,
      headers: post ? { 'content-type': 'application/x-www-form-urlencoded' } : ({} as Record<string, string>),
      ...(post ? { body: formBody(list) } : {}),
      params: list,
      stringToSign,
      signature: params._sig,
      scheme: say(
        `${sm.toUpperCase()} of secret + name1value1name2value2… (every parameter but _sig, sorted by name) + secret, uppercase hex`,
        `${sm.toUpperCase()}(secret + 按名称排序的 名称值名称值…（除 _sig 外全部参数）+ secret)，大写十六进制`,
      ),
    };
  },
  explain(request, secret, ctx, theirs) {
    const p = request.params;
    const checks: Check[] = [];
    const push = (check: Check) => {
      checks.push(check);
      return check.ok;
    };
    const missing = firstMissing(p, REQUIRED);
    if (!push(missing ?? { name: say('System parameters present', '系统参数齐全'), ok: true, received: REQUIRED.join(' ') })) return checks;
    const sm = p._sm!.toLowerCase();
    if (
      !push({
        name: say('_sm is md5 or sha1', '_sm 为 md5 或 sha1'),
        ok: sm === 'md5' || sm === 'sha1',
        expected: 'md5 | sha1',
        received: p._sm!,
      })
    )
      return checks;
    if (
      !push({
        name: say('_requestMode is post, get, put or delete', '_requestMode 为 post、get、put 或 delete'),
        ok: ['post', 'get', 'put', 'delete'].includes(p._requestMode!.toLowerCase()),
        expected: 'post | get | put | delete',
        received: p._requestMode!,
      })
    )
      return checks;
    const ts = parseCompact(p._timestamp!);
    if (
      !push({
        name: say('_timestamp is yyyyMMddHHmmss (China time)', '_timestamp 格式为 yyyyMMddHHmmss（北京时间）'),
        ok: ts !== null,
        expected: compact(ctx.now),
        received: p._timestamp!,
      })
    )
      return checks;
    const format = (p._format ?? '').toLowerCase();
    if (
      !push({
        name: say('_format is json or xml', '_format 为 json 或 xml'),
        ok: ['', 'json', 'xml'].includes(format),
        expected: 'json | xml',
        received: p._format ?? '',
      })
    )
      return checks;
    checks.push({ name: say('_akey is a developer key, enabled', '_akey 为已启用的开发者密钥'), ok: true, serverOnly: true });
    const aid = setting(ctx).aid ?? 'S107';
    if (!push({ name: say("_aid is this platform's", '_aid 为本平台系统编号'), ok: p._aid === aid, expected: aid, received: p._aid! }))
      return checks;
    const windowS = setting(ctx).timestampWindowS ?? 600;
    const skew = Math.round((ts! - ctx.now) / 1000);
    if (
      !push({
        name: say(`_timestamp within ±${windowS} s of the platform's time`, `_timestamp 与平台时间相差不超过 ${windowS} 秒`),
        ok: Math.abs(skew) <= windowS,
        expected: compact(ctx.now),
        received: p._timestamp!,
        skewSeconds: skew,
      })
    )
      return checks;
    if (request.repeated.length > 0)
      if (!push({ name: say('No parameter sent twice', '参数未重复'), ok: false, received: request.repeated.join(', ') })) return checks;
    const stringToSign = opretail.stringToSign(p, secret);
    const expected = opretail.sign(p, secret, sm as 'md5' | 'sha1');
    push({
      name: say('_sig matches', '_sig 签名正确'),
      ok: expected.toLowerCase() === p._sig!.toLowerCase(),
      expected,
      received: p._sig!,
      stringToSign,
      ...(theirs ? { detail: say('Beside it: the string your code signed.', '旁边是你的代码签名的字符串。') } : {}),
    });
    return checks;
  },
};
