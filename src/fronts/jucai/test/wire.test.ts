import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { backendNames } from '../../../../test/helpers/backends.ts';
import { captureServer, closedPort } from '../../../../test/upstream/helpers.ts';
import { JucaiClient, JucaiReplySignatureError } from '../client.ts';
import { independentSign, jeepayCheckSign, jucaiFixture, paymentCode, type Reply } from './helpers.ts';

/**
 * The wire as a Jeepay-family client reads it: the shape of every reply code against the SDK's
 * checkSign, numbers signed as their text, signType, what a body that is not JSON and a request
 * off the route are told, and 502 messages that name the channel, never its URL.
 */

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

for (const backend of backendNames()) {
  test(`jucai: every reply code has the shape the Jeepay SDK's checkSign reads — data and a sign over it, or neither (${backend})`, async (t) => {
    const f = await jucaiFixture(backend);
    t.after(() => f.close());
    const seen = new Map<string, Reply>();
    const keep = (label: string, reply: Reply) => {
      seen.set(label, reply);
      return reply;
    };
    const ok = keep('200 000000', await f.post(f.fields()));
    assert.equal(ok.data?.returnCode, '000000', JSON.stringify(ok));
    keep('200 AUTHCODE_EXPIRE', await f.post(f.fields({ authCode: '100000000000000001' })));
    keep('400', await f.post(f.fields({ clientIp: 'nowhere' })));
    keep('401', await f.post({ ...f.fields(), sign: 'f'.repeat(32) }));
    keep('404', await f.post(f.fields({ mchNo: 'MCH_I000000009' })));
    const fields = f.fields();
    await f.post(fields);
    const conflict = keep('409', await f.post({ ...fields, authCode: paymentCode() }));
    assert.equal(conflict.code, 409);
    const unavailable = keep('502', await f.post(f.fields({ authCode: '100000000000000008' })));
    assert.equal(unavailable.code, 502);
    assert.equal((await f.s.admin(`/jucai/apps/${f.appId}/disable`, { method: 'POST' })).status, 200);
    keep('403', await f.post(f.fields()));
    assert.equal((await f.s.admin(`/jucai/apps/${f.appId}/enable`, { method: 'POST' })).status, 200);
    assert.equal((await f.s.admin(`/jucai/merchants/${f.mchNo}`, { method: 'PATCH', body: { ratePerSecond: 1 } })).status, 200);
    const burst = await Promise.all(Array.from({ length: 4 }, () => f.post(f.fields())));
    keep('429', burst.find((r) => r.code === 429)!);
    assert.equal((await f.s.admin(`/jucai/merchants/${f.mchNo}`, { method: 'PATCH', body: { ratePerSecond: null } })).status, 200);
    await new Promise((r) => setTimeout(r, 1100));
    // kaifang's own failure after the signature verified: the order records are gone.
    await sql`drop table idempotency_records`.execute(f.s.k.core.db);
    const failed = keep('500', await f.post(f.fields()));
    assert.equal(failed.code, 500, JSON.stringify(failed));

    for (const [label, reply] of seen) {
      const expected = Number(label.slice(0, 3));
      assert.equal(reply.code, expected, `${label}: ${JSON.stringify(reply)}`);
      assert.equal(reply.data === null, expected !== 200, `${label}: data only when processed`);
      assert.equal(reply.sign === undefined, reply.data === null, `${label}: a sign exactly when there is data: ${JSON.stringify(reply)}`);
      // The SDK unchanged never throws: true for a reply without data, false (lower-case hex) for one with it.
      assert.equal(jeepayCheckSign(reply, f.secret), reply.data === null, label);
      // With the README's change (compare ignoring case) every reply checks.
      assert.equal(jeepayCheckSign(reply, f.secret, { caseSensitive: false }), true, label);
    }
    // The bug this closes: one digest of key=<secret> alone, the same on every failure reply.
    for (const reply of seen.values()) assert.notEqual(reply.sign, md5(`key=${f.secret}`));
  });

  test(`jucai: a number is signed as the JSON text it arrived as; signType other than MD5 is refused naming it (${backend})`, async (t) => {
    const f = await jucaiFixture(backend);
    t.after(() => f.close());
    // Body text with numbers written as a Jeepay (fastjson) client writes them; signed over that text.
    const signedRaw = (literals: Record<string, string>, signAs: Record<string, string> = literals) => {
      const fields = f.fields() as Record<string, string>;
      const sign = independentSign({ ...fields, ...signAs }, f.secret);
      const members = Object.entries(fields).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
      for (const [k, v] of Object.entries(literals)) members.push(`${JSON.stringify(k)}: ${v}`);
      return `{${members.join(',')},"sign":"${sign}"}`;
    };
    for (const literal of ['1.50', '1e2', '100', '-0', '12345678901234567890', '0.10E+3']) {
      const reply = await f.post({}, { raw: signedRaw({ amount: literal }) });
      assert.equal(reply.code, 200, `${literal}: ${JSON.stringify(reply)}`);
      assert.equal(reply.data?.returnCode, '000000');
    }
    // Signed as JavaScript would rewrite the number: not what arrived.
    const rewritten = await f.post({}, { raw: signedRaw({ amount: '1.50' }, { amount: '1.5' }) });
    assert.equal(rewritten.code, 401, JSON.stringify(rewritten));
    const hundred = await f.post({}, { raw: signedRaw({ amount: '1e2' }, { amount: '100' }) });
    assert.equal(hundred.code, 401, JSON.stringify(hundred));

    // signType: MD5, empty or absent is verified as MD5; anything else is 400 naming signType, even with a right MD5 sign.
    for (const signType of ['MD5', '', null, undefined]) {
      const reply = await f.post(f.fields(signType === undefined ? {} : { signType }));
      assert.equal(reply.code, 200, `signType ${signType}: ${JSON.stringify(reply)}`);
    }
    for (const signType of ['RSA2', 'md5', 'HMAC-SHA256', 1, true]) {
      const reply = await f.post(f.fields({ signType }));
      assert.equal(reply.code, 400, `signType ${signType}: ${JSON.stringify(reply)}`);
      assert.match(reply.msg, /^参数错误: signType must be MD5/);
      assert.equal(reply.sign, undefined);
    }
  });

  test(`jucai: a body that is not JSON is told to send JSON; a request off the route keeps its HTTP status, in the reply shape (${backend})`, async (t) => {
    const f = await jucaiFixture(backend);
    t.after(() => f.close());
    const fields = f.fields();
    const body = JSON.stringify({ ...fields, sign: independentSign(fields, f.secret) });
    const url = `${f.s.url}/pay/api/1.0/auth2OpenId`;
    for (const contentType of [
      'text/plain',
      'text/plain;charset=UTF-8',
      'application/x-www-form-urlencoded',
      'application/xml',
      undefined,
    ]) {
      const res = await fetch(url, { method: 'POST', ...(contentType ? { headers: { 'content-type': contentType } } : {}), body });
      assert.equal(res.status, 200, String(contentType));
      const reply = (await res.json()) as Reply;
      assert.equal(reply.code, 400, `${contentType}: ${JSON.stringify(reply)}`);
      assert.match(reply.msg, /Content-Type: application\/json/, `${contentType}: ${reply.msg}`);
      assert.doesNotMatch(reply.msg, /x-www-form-urlencoded/, `${contentType}: never told to send what is then refused`);
    }
    // Off the route (README, "Reply"): another method 405, another path 404 — paths are case-sensitive —, a body too large 413.
    for (const [method, path, status] of [
      ['GET', '/pay/api/1.0/auth2OpenId', 405],
      ['PUT', '/pay/api/1.0/auth2OpenId', 405],
      ['POST', '/pay/api/1.0/auth2openid', 404],
      ['POST', '/pay/api/1.0/AUTH2OPENID', 404],
      ['POST', '/pay/api/2.0/auth2OpenId', 404],
    ] as const) {
      const res = await fetch(`${f.s.url}${path}`, {
        method,
        ...(method === 'GET' ? {} : { headers: { 'content-type': 'application/json' }, body }),
      });
      assert.equal(res.status, status, `${method} ${path}`);
      const reply = (await res.json()) as Reply;
      assert.deepEqual(Object.keys(reply), ['code', 'msg', 'data'], `${method} ${path}`);
      assert.equal(reply.code, 400);
      assert.equal(reply.data, null);
    }
  });

  test(`jucai: a 502 names the channel, never a URL; the log keeps where (${backend})`, async (t) => {
    // Live mode: the UNIONPAY channel's bridge is the operator's internal URL, here one nothing answers on.
    const port = await closedPort();
    const bridgeUrl = `http://127.0.0.1:${port}/internal/acquirer-bridge`;
    const f = await jucaiFixture(
      backend,
      { KAIFANG_UPSTREAM: 'live', KAIFANG_SMS_PROVIDER: 'none', KAIFANG_WECHATPAY_API_URL: `http://127.0.0.1:${port}/wxpay-internal` },
      { bridgeUrl, captureLogs: true },
    );
    t.after(() => f.close());
    for (const [wayCode, authCode, channel] of [
      ['UNIONPAY', 'sandbox-carol-1', /UNIONPAY channel/],
      ['WECHAT', paymentCode(), /WECHAT channel \(WeChat Pay\)/],
    ] as const) {
      const reply = await f.post(f.fields({ wayCode, authCode }));
      assert.equal(reply.code, 502, JSON.stringify(reply));
      assert.match(reply.msg, /^通道异常: /);
      assert.match(reply.msg, channel);
      assert.doesNotMatch(reply.msg, /https?:|127\.0\.0\.1|internal|wxpay|\/\//, reply.msg);
    }
    assert.match(f.s.logs(), /internal\/acquirer-bridge/, 'the log says where');
  });
}

test('JucaiClient checks a reply as checkSign does: data needs a sign over it with the app secret; a reply without data has nothing to check', async (t) => {
  const secret = 'client-test-secret-0000000000000';
  const data = {
    returnCode: '000000',
    returnMsg: 'SUCCESS',
    termId: '88888888',
    randomStr: 'R'.repeat(32),
    orgId: 'ISV_I1',
    mchNo: 'MCH_I1',
    mchOrderNo: 'ORDER0001',
    appid: 'wx0123456789abcdef',
    openid: 'oPayer',
    subAppid: '',
    subOpenid: '',
  };
  let next: unknown;
  const server = await captureServer((_req, _body, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(next));
  });
  t.after(() => server.close());
  const client = new JucaiClient({ baseUrl: server.url, mchNo: 'MCH_I1', appId: 'MCH_A1', secret });
  const call = (reply: unknown) => {
    next = reply;
    return client.auth2OpenId({ mchOrderNo: 'ORDER0001', wayCode: 'WECHAT', authCode: paymentCode(), clientIp: '127.0.0.1' });
  };
  const signed = { code: 200, msg: '成功', data, sign: independentSign(data, secret) };
  assert.equal((await call(signed)).data?.openid, 'oPayer');
  assert.equal((await call({ ...signed, sign: signed.sign.toUpperCase() })).data?.openid, 'oPayer', 'either case');
  await assert.rejects(call({ code: 200, msg: '成功', data }), JucaiReplySignatureError, 'data without a sign');
  await assert.rejects(call({ ...signed, sign: independentSign(data, 'another-secret') }), JucaiReplySignatureError);
  await assert.rejects(call({ ...signed, data: { ...data, openid: 'oForged' } }), JucaiReplySignatureError);
  assert.deepEqual(await call({ code: 409, msg: '商户订单号重复: …', data: null }), { code: 409, msg: '商户订单号重复: …', data: null });
  // The SDK's shape for no data: a sign beside it has nothing to say (an older server sent one).
  assert.equal((await call({ code: 502, msg: '通道异常', data: null, sign: 'f'.repeat(32) })).code, 502);
});
