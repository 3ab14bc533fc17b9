import { firstMissing, say, type Check, type FrontDebugger } from '../kit/debugger.ts';
import { jucai } from './signing.ts';

/**
 * The 巨彩商服 `auth2OpenId` in the integrator's debugger: a JSON body with `appId` and `sign`
 * filled in, signed in the page with signing.ts; a pasted request checked again in the front's
 * order (routes.ts: readable fields → sign present → merchant and app → signature); and the
 * reply's `sign` (over `data`'s non-empty fields, with the app secret) verified.
 */

const REQUIRED = ['termId', 'mchNo', 'appId', 'mchOrderNo', 'wayCode', 'authCode', 'clientIp'];

export const debuggerOf: FrontDebugger = {
  front: 'jucai',
  label: say('巨彩商服 payment identity API', '巨彩商服支付身份接口'),
  credential: { id: say('App id (appId)', '应用 ID (appId)'), secret: say('App secret', '应用密钥'), idField: 'appId' },
  filled: ['appId', 'sign'],
  examples: { termId: '88888888', wayCode: 'WECHAT', clientIp: '127.0.0.1', version: '1.0' },
  build(endpoint, values, id, secret) {
    const body: Record<string, string> = {};
    for (const [n, v] of Object.entries(values)) if (v !== '') body[n] = v;
    body.appId = id;
    const stringToSign = jucai.stringToSign(body, secret);
    body.sign = jucai.sign(body, secret);
    return {
      method: 'POST',
      url: endpoint.path,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      params: Object.entries(body),
      stringToSign,
      signature: body.sign,
      scheme: say(
        'MD5 of the non-empty fields but sign as name=value, sorted case-insensitively, joined with &, then &key=SECRET; lowercase hex',
        'MD5(非空字段（除 sign）的 name=value 按不区分大小写排序，以 & 连接，再加 &key=密钥)，小写十六进制',
      ),
    };
  },
  explain(request, secret, _ctx, theirs) {
    const p = request.params;
    const checks: Check[] = [];
    const isJson = request.contentType.includes('json');
    checks.push({
      name: say('A JSON body', 'JSON 请求体'),
      ok: isJson && request.json !== undefined,
      expected: 'application/json',
      received: request.contentType || '(none)',
    });
    if (!isJson || !request.json) return checks;
    const missing = firstMissing(p, REQUIRED);
    checks.push(missing ?? { name: say('Required fields present', '必填字段齐全'), ok: true });
    if (missing) return checks;
    if (!/^[A-Za-z0-9_]{5,30}$/.test(p.mchOrderNo!)) {
      checks.push({
        name: say('mchOrderNo: 5–30 letters, digits or _', 'mchOrderNo：5–30 位字母、数字或 _'),
        ok: false,
        received: p.mchOrderNo!,
      });
      return checks;
    }
    if (!['WECHAT', 'UNIONPAY'].includes(p.wayCode!)) {
      checks.push({
        name: say('wayCode is WECHAT or UNIONPAY', 'wayCode 为 WECHAT 或 UNIONPAY'),
        ok: false,
        expected: 'WECHAT | UNIONPAY',
        received: p.wayCode!,
      });
      return checks;
    }
    checks.push({ name: say('sign present', 'sign 存在'), ok: !!p.sign, received: p.sign ?? '' });
    if (!p.sign) return checks;
    checks.push({
      name: say('Merchant and app known, the app the merchant’s, all enabled', '商户与应用存在、匹配且已启用'),
      ok: true,
      serverOnly: true,
    });
    const signed = request.json as Record<string, string | number | boolean | null>;
    const stringToSign = jucai.stringToSign(signed, secret);
    const expected = jucai.sign(signed, secret);
    checks.push({
      name: say('sign matches', 'sign 签名正确'),
      ok: expected === p.sign.toLowerCase(),
      expected,
      received: p.sign,
      stringToSign,
      ...(theirs ? { detail: say('Beside it: the string your code signed.', '旁边是你的代码签名的字符串。') } : {}),
    });
    return checks;
  },
  verifyReply(reply, secret) {
    const r = reply as { data?: Record<string, unknown> | null; sign?: unknown } | null;
    if (!r || typeof r.sign !== 'string') return undefined;
    const data = (r.data ?? {}) as Record<string, string>;
    const expected = jucai.sign(data, secret);
    return { ok: expected === r.sign.toLowerCase(), stringToSign: jucai.stringToSign(data, secret), expected, received: r.sign };
  },
};
