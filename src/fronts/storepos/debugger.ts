import { firstMissing, formBody, say, type Check, type FrontDebugger } from '../kit/debugger.ts';
import { storepos } from './signing.ts';

/**
 * The 超赢 agent API in the integrator's debugger: `agent_id` and `sign` filled in, signed in the
 * page with signing.ts (WeChat Pay v2: MD5 of the sorted non-empty `name=value&…&key=KEY`); a pasted
 * request checked again in the front's order (routes.ts); and the reply's own `sign` verified.
 */

const COMMON = ['agent_id', 'pid', 'version'];

export const debuggerOf: FrontDebugger = {
  front: 'storepos',
  label: say('超赢 (storepos) agent API', '超赢代理商接口'),
  credential: { id: say('Agent id (agent_id)', '代理商编号 (agent_id)'), secret: say('Agent key', '代理商密钥'), idField: 'agent_id' },
  filled: ['agent_id', 'sign'],
  examples: { pid: 'storepos', version: '1.0', mobile: '13800138000' },
  build(endpoint, values, id, secret) {
    const params: Record<string, string> = {};
    for (const [n, v] of Object.entries(values)) if (v !== '') params[n] = v;
    params.agent_id = id;
    const stringToSign = storepos.stringToSign(params, secret);
    params.sign = storepos.sign(params, secret);
    const list = Object.entries(params);
    return {
      method: 'POST',
      url: endpoint.path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: formBody(list),
      params: list,
      stringToSign,
      signature: params.sign,
      scheme: say(
        'MD5 of the non-empty parameters but sign, sorted by name, as name=value&…&key=KEY, uppercase hex',
        'MD5(按名称排序的非空参数（除 sign）name=value&…&key=密钥)，大写十六进制',
      ),
    };
  },
  explain(request, secret, _ctx, theirs) {
    const p = request.params;
    const checks: Check[] = [];
    const missing = firstMissing(p, COMMON);
    checks.push(missing ?? { name: say('agent_id, pid and version present', 'agent_id、pid、version 齐全'), ok: true });
    if (missing) return checks;
    checks.push({ name: say('agent_id is an agent, enabled', 'agent_id 为已启用的代理商'), ok: true, serverOnly: true });
    checks.push({ name: say('version is served', 'version 受支持'), ok: true, serverOnly: true, received: p.version! });
    if (request.repeated.length > 0) {
      checks.push({ name: say('No parameter sent twice', '参数未重复'), ok: false, received: request.repeated.join(', ') });
      return checks;
    }
    const stringToSign = storepos.stringToSign(p, secret);
    const expected = storepos.sign(p, secret);
    checks.push({
      name: say('sign matches', 'sign 签名正确'),
      ok: !!p.sign && expected.toLowerCase() === p.sign.toLowerCase(),
      expected,
      received: p.sign ?? '',
      stringToSign,
      ...(theirs ? { detail: say('Beside it: the string your code signed.', '旁边是你的代码签名的字符串。') } : {}),
    });
    return checks;
  },
  verifyReply(reply, secret) {
    if (!reply || typeof reply !== 'object' || typeof (reply as { sign?: unknown }).sign !== 'string') return undefined;
    const fields = reply as Record<string, string | number>;
    const received = String(fields.sign);
    if (received === '') return undefined;
    const expected = storepos.sign(fields, secret);
    return {
      ok: expected.toLowerCase() === received.toLowerCase(),
      stringToSign: storepos.stringToSign(fields, secret),
      expected,
      received,
    };
  },
};
