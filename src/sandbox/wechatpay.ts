import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { randomDigits } from '../kernel/random.ts';
import { constantTimeEqual } from '../kernel/secrets.ts';
import { SANDBOX_WECHATPAY_KEY } from '../upstream/wechatpay.ts';
import { hang } from './behaviour.ts';
import type { SandboxDeps } from './deps.ts';
import { sandboxOpenid } from './wechat.ts';

/**
 * Simulator of WeChat Pay API v2 `POST /tools/authcodetoopenid`, mounted at `/sandbox/wechatpay`.
 *
 * - Every merchant's API v2 key is `SANDBOX_WECHATPAY_KEY`: a request signed otherwise gets
 *   `return_code` FAIL `签名错误`, as WeChat answers a wrong key. Missing fields: FAIL `参数格式校验错误`.
 * - An 18-digit code starting 10–15 is a payer's payment code. The payer is the one named when
 *   the code was made by `GET /sandbox/wechatpay/payment-code?payer=NAME`, else `payer-<last 8
 *   digits>`; the openid is the same as the WeChat login simulator gives that user for that appid
 *   (`sub_openid` likewise for `sub_appid`). Same code, same answer, every time.
 * - Reserved codes answer the failures the fronts map: `100000000000000001` AUTHCODEEXPIRE,
 *   `…02` AUTH_CODE_INVALID, `…03` AUTH_CODE_ERROR, `…04` SYSTEMERROR, `…05` return_code FAIL,
 *   `…06` a reply whose signature is wrong, `…07` a 200 that is not XML, `…08` HTTP 503, `…09` no
 *   answer within the adapters' timeout. Any other code is AUTH_CODE_INVALID.
 * - `GET /sandbox/wechatpay/calls` counts the queries this process's simulator received (for tests:
 *   a repeat must not reach the channel; with several processes, add theirs up).
 *
 * The request's signature is checked here with the algorithm written out again (not the
 * adapter's signer): sorted non-empty `name=value&…&key=KEY`, MD5, uppercase.
 */

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: false,
});
const builder = new XMLBuilder({ format: false, cdataPropName: '__cdata' });
const CODE = /^1[0-5]\d{16}$/;
const RESERVED = 100000000000000000n;

function signOf(fields: Record<string, string>, key: string): string {
  const text = Object.keys(fields)
    .filter((k) => k !== 'sign' && fields[k] !== '')
    .sort()
    .map((k) => `${k}=${fields[k]}`)
    .join('&');
  return createHash('md5').update(`${text}&key=${key}`, 'utf8').digest('hex').toUpperCase();
}

function xml(reply: FastifyReply, fields: Record<string, string>, status = 200) {
  const body: Record<string, { __cdata: string }> = {};
  for (const [k, v] of Object.entries(fields)) body[k] = { __cdata: v };
  return reply
    .code(status)
    .header('content-type', 'text/xml; charset=utf-8')
    .send(builder.build({ xml: body }));
}

export async function wechatPaySimulator(app: FastifyInstance, { deps }: { deps: SandboxDeps }): Promise<void> {
  let calls = 0;
  app.post('/tools/authcodetoopenid', async (request, reply) => {
    calls++;
    let fields: Record<string, string> = {};
    try {
      const doc = parser.parse(Buffer.isBuffer(request.body) ? request.body.toString('utf8') : '') as { xml?: Record<string, unknown> };
      for (const [k, v] of Object.entries(doc.xml ?? {})) fields[k] = String(v);
    } catch {
      fields = {};
    }
    const fail = (msg: string) => xml(reply, { return_code: 'FAIL', return_msg: msg });
    for (const f of ['appid', 'mch_id', 'auth_code', 'nonce_str', 'sign']) if (!fields[f]) return fail('参数格式校验错误');
    if (!constantTimeEqual(fields.sign!, signOf(fields, SANDBOX_WECHATPAY_KEY), true)) return fail('签名错误');

    const code = fields.auth_code!;
    const answer = (result: Record<string, string>) => {
      const out: Record<string, string> = {
        return_code: 'SUCCESS',
        return_msg: 'OK',
        appid: fields.appid!,
        mch_id: fields.mch_id!,
        ...(fields.sub_mch_id ? { sub_mch_id: fields.sub_mch_id } : {}),
        ...(fields.sub_appid ? { sub_appid: fields.sub_appid } : {}),
        nonce_str: randomBytes(8).toString('hex'),
        ...result,
      };
      out.sign = signOf(out, SANDBOX_WECHATPAY_KEY);
      return xml(reply, out);
    };
    const refused = (err_code: string, err_code_des: string) => answer({ result_code: 'FAIL', err_code, err_code_des });
    if (!CODE.test(code)) return refused('AUTH_CODE_INVALID', '付款码检验错误');
    const reserved = BigInt(code) - RESERVED;
    if (reserved >= 1n && reserved <= 9n) {
      switch (Number(reserved)) {
        case 1:
          return refused('AUTHCODEEXPIRE', '付款码过期');
        case 2:
          return refused('AUTH_CODE_INVALID', '付款码检验错误');
        case 3:
          return refused('AUTH_CODE_ERROR', '付款码错误');
        case 4:
          return refused('SYSTEMERROR', '系统错误');
        case 5:
          return fail('商户无此接口权限');
        case 6: {
          const out = {
            return_code: 'SUCCESS',
            return_msg: 'OK',
            appid: fields.appid!,
            mch_id: fields.mch_id!,
            nonce_str: 'n',
            result_code: 'SUCCESS',
            openid: 'oForged',
            sign: 'F'.repeat(32),
          };
          return xml(reply, out);
        }
        case 7:
          return reply.code(200).header('content-type', 'text/html').send('<html><body>502 Bad Gateway</body></html>');
        case 8:
          return reply.code(503).send('Service Unavailable');
        case 9:
          await hang(request, reply, deps.upstreamTimeoutMs);
          return refused('SYSTEMERROR', '系统错误');
      }
    }
    const payer = (await deps.state.get(`sandbox:wxpay:code:${code}`)) ?? `payer-${code.slice(-8)}`;
    return answer({
      result_code: 'SUCCESS',
      openid: sandboxOpenid(fields.appid!, payer),
      ...(fields.sub_appid ? { sub_openid: sandboxOpenid(fields.sub_appid, payer) } : {}),
    });
  });

  /** Not a WeChat API: a fresh payment code of a named payer, valid for a day. */
  app.get('/payment-code', async (request, reply) => {
    const payer = String((request.query as Record<string, unknown>).payer ?? '');
    if (!/^[A-Za-z0-9_]{1,64}$/.test(payer)) return reply.code(400).send({ error: 'give payer (1-64 of A-Z a-z 0-9 _)' });
    const authCode = `13${randomDigits(16)}`;
    await deps.state.set(`sandbox:wxpay:code:${authCode}`, payer, 86_400_000);
    return { authCode, payer };
  });

  app.get('/calls', async () => ({ authcodetoopenid: calls }));
}
