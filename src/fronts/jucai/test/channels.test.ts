import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { backendNames } from '../../../../test/helpers/backends.ts';
import { closedPort } from '../../../../test/upstream/helpers.ts';
import {
  assertReply,
  fakeBridge,
  fakeWechatPay,
  jucaiFixture,
  liveEnv,
  paymentCode,
  SANDBOX_BRIDGE_SECRET,
  SANDBOX_WECHATPAY_KEY,
  wxFound,
  wxSign,
  type WxAnswer,
} from './helpers.ts';

/**
 * The channels as kaifang speaks to them, against fakes of the test's own (live mode): every field
 * each one must receive, checked with the test's own signers, and answers that lie — unsigned,
 * signed with another key — which are never believed.
 */

const REFUSED_AS = {
  return_code: 'SUCCESS',
  return_msg: 'OK',
  result_code: 'FAIL',
  err_code: 'AUTHCODEEXPIRE',
  err_code_des: '付款码过期',
};

for (const backend of backendNames()) {
  test(`jucai WECHAT: the query WeChat Pay receives, field by field; a reply whose signature does not verify is a 502, whatever it says (${backend})`, {
    timeout: 60_000,
  }, async (t) => {
    const lies = new Map<string, (request: Record<string, string>) => WxAnswer>([
      // A refusal (result_code FAIL) signed with another key: not an expired code, a channel that cannot be believed.
      [
        '130000000000000001',
        (r) => ({ fields: { ...REFUSED_AS, appid: r.appid!, mch_id: r.mch_id!, nonce_str: 'n' }, key: 'x'.repeat(32) }),
      ],
      // return_code FAIL is unsigned as WeChat sends it; one that carries a sign must verify too.
      ['130000000000000002', () => ({ fields: { return_code: 'FAIL', return_msg: '签名错误', sign: 'F'.repeat(32) }, key: null })],
      // A success without any sign, and one signed with another key.
      ['130000000000000003', (r) => wxFound(r, 'oForgedUnsigned', null)],
      ['130000000000000004', (r) => wxFound(r, 'oForgedOtherKey', 'y'.repeat(32))],
      // As WeChat answers a communication failure: unsigned FAIL, the channel refused the call (CHANNEL_ERROR).
      ['130000000000000005', () => ({ fields: { return_code: 'FAIL', return_msg: '商户无此接口权限' }, key: null })],
      // A refusal signed right: the code expired.
      [
        '130000000000000006',
        (r) => ({ fields: { ...REFUSED_AS, appid: r.appid!, mch_id: r.mch_id!, nonce_str: 'n' }, key: SANDBOX_WECHATPAY_KEY }),
      ],
    ]);
    const wechatPay = await fakeWechatPay((request) => {
      const lie = lies.get(request.auth_code ?? '');
      if (lie) return lie(request);
      const found = wxFound(request, `oPayer${request.auth_code}`) as { fields: Record<string, string>; key: string };
      return request.sub_appid ? { ...found, fields: { ...found.fields, sub_openid: `oSub${request.auth_code}` } } : found;
    });
    t.after(() => wechatPay.close());
    const f = await jucaiFixture(backend, liveEnv(wechatPay.url));
    t.after(() => f.close());

    // What WeChat Pay receives: POST text/xml to /tools/authcodetoopenid, exactly these fields, signed with the merchant's key.
    const authCode = paymentCode();
    const subAppid = 'wx0123456789abcdef';
    const ok = await f.post(f.fields({ authCode, subAppid }));
    assert.equal(ok.data?.returnCode, '000000', JSON.stringify(ok));
    assert.equal(ok.data!.openid, `oPayer${authCode}`);
    assert.equal(ok.data!.subOpenid, `oSub${authCode}`);
    assert.equal(ok.data!.subAppid, subAppid);
    assert.equal(ok.data!.appid, f.payAppid);
    const sent = wechatPay.requests[0]!;
    assert.equal(sent.method, 'POST');
    assert.equal(sent.url, '/tools/authcodetoopenid');
    assert.match(String(sent.headers['content-type']), /^text\/xml/);
    const fields = wechatPay.fields(0);
    assert.deepEqual(Object.keys(fields).sort(), ['appid', 'auth_code', 'mch_id', 'nonce_str', 'sign', 'sub_appid', 'sub_mch_id']);
    assert.equal(fields.appid, f.payAppid);
    assert.equal(fields.mch_id, f.payMchId);
    assert.equal(fields.sub_mch_id, '1900000110');
    assert.equal(fields.sub_appid, subAppid);
    assert.equal(fields.auth_code, authCode);
    assert.match(fields.nonce_str!, /^[A-Za-z0-9]{32}$/);
    assert.equal(fields.sign, wxSign(fields, SANDBOX_WECHATPAY_KEY));
    // Without subAppid (and none on the channel): no sub_appid field at all.
    await f.post(f.fields());
    assert.deepEqual(Object.keys(wechatPay.fields(1)).sort(), ['appid', 'auth_code', 'mch_id', 'nonce_str', 'sign', 'sub_mch_id']);

    for (const code of ['130000000000000001', '130000000000000002', '130000000000000003', '130000000000000004']) {
      const reply = await f.post(f.fields({ authCode: code }));
      assert.equal(reply.code, 502, `${code}: ${JSON.stringify(reply)}`);
      assert.match(reply.msg, /^通道异常: the WECHAT channel \(WeChat Pay\) answered something unusable/);
      assert.ok(!JSON.stringify(reply).includes('oForged'), 'a reply that does not verify is never an openid');
      assertReply(reply, f.secret);
    }
    const refused = await f.post(f.fields({ authCode: '130000000000000005' }));
    assert.equal(refused.data?.returnCode, 'CHANNEL_ERROR', JSON.stringify(refused));
    assert.match(refused.data!.returnMsg!, /商户无此接口权限/);
    const expired = await f.post(f.fields({ authCode: '130000000000000006' }));
    assert.equal(expired.data?.returnCode, 'AUTHCODE_EXPIRE', JSON.stringify(expired));
  });

  test(`jucai UNIONPAY: every field the bridge receives, checked with the test's own HMAC; an answer without its signature header, or signed with another secret, is a 502 (${backend})`, {
    timeout: 60_000,
  }, async (t) => {
    const bridge = await fakeBridge((request) => {
      const code = String(request.userAuthCode);
      if (code.startsWith('unsigned')) return { body: { code: '000000', msg: 'success', userId: 'UForgedUnsigned' }, secret: null };
      if (code.startsWith('othersecret'))
        return { body: { code: '000000', msg: 'success', userId: 'UForgedOther' }, secret: 'not-the-bridge-secret' };
      return { body: { code: '000000', msg: 'success', userId: `U-${code}` }, secret: SANDBOX_BRIDGE_SECRET };
    });
    t.after(() => bridge.close());
    // Live mode: the channel's own bridge URL is called (here the fake's, with a path of its own).
    const f = await jucaiFixture(backend, liveEnv('http://127.0.0.1:9/unused'), { bridgeUrl: `${bridge.url}/acquirer/userid?tenant=7` });
    t.after(() => f.close());

    const before = Math.floor(Date.now() / 1000);
    const fields = f.fields({ wayCode: 'UNIONPAY', authCode: 'upauth-0001', subAppid: 'UnionPay/1.0 CloudPay' });
    const ok = await f.post(fields);
    assert.equal(ok.data?.returnCode, '000000', JSON.stringify(ok));
    assert.equal(ok.data!.openid, 'U-upauth-0001');
    assert.equal(ok.data!.appid, '');
    const sent = bridge.requests[0]!;
    assert.equal(sent.method, 'POST');
    assert.equal(sent.url, '/acquirer/userid?tenant=7');
    assert.match(String(sent.headers['content-type']), /^application\/json/);
    const raw = sent.body.toString('utf8');
    assert.equal(
      sent.headers['x-kaifang-signature'],
      `sha256=${createHmac('sha256', SANDBOX_BRIDGE_SECRET).update(raw, 'utf8').digest('hex')}`,
    );
    const body = bridge.json(0);
    assert.deepEqual(Object.keys(body).sort(), ['appUpIdentifier', 'merchantNo', 'requestId', 'timestamp', 'userAuthCode']);
    assert.equal(body.userAuthCode, 'upauth-0001');
    assert.equal(body.appUpIdentifier, 'UnionPay/1.0 CloudPay');
    assert.equal(body.merchantNo, '898310048990001');
    assert.match(String(body.requestId), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(typeof body.timestamp, 'number');
    assert.ok(Math.abs((body.timestamp as number) - before) <= 300, 'seconds, now');
    assert.equal(sent.headers['x-kaifang-timestamp'], String(body.timestamp));
    // Another order: another requestId; no subAppid: appUpIdentifier empty.
    await f.post(f.fields({ wayCode: 'UNIONPAY', authCode: 'upauth-0002' }));
    assert.notEqual(bridge.json(1).requestId, body.requestId);
    assert.equal(bridge.json(1).appUpIdentifier, '');

    // A bridge that cannot be reached got nothing: the order is not recorded, and goes through once it can be.
    const channel = `/jucai/merchants/${f.mchNo}/channels/UNIONPAY`;
    const port = await closedPort();
    assert.equal((await f.s.admin(channel, { method: 'PUT', body: { bridgeUrl: `http://127.0.0.1:${port}/userid` } })).status, 200);
    const unreached = f.fields({ wayCode: 'UNIONPAY', authCode: 'upauth-0003' });
    const down = await f.post(unreached);
    assert.equal(down.code, 502, JSON.stringify(down));
    assert.match(down.msg, /could not be reached/);
    assert.equal((await f.s.admin(channel, { method: 'PUT', body: { bridgeUrl: `${bridge.url}/acquirer/userid?tenant=7` } })).status, 200);
    const up = await f.post(unreached);
    assert.equal(up.data?.openid, 'U-upauth-0003', JSON.stringify(up));

    for (const code of ['unsigned-1', 'othersecret-1']) {
      const order = f.fields({ wayCode: 'UNIONPAY', authCode: code });
      const reply = await f.post(order);
      assert.equal(reply.code, 502, `${code}: ${JSON.stringify(reply)}`);
      assert.match(reply.msg, /^通道异常: the UNIONPAY channel \(the acquirer bridge\) answered something unusable/);
      assert.ok(!JSON.stringify(reply).includes('UForged'), 'an answer that does not verify is never a user id');
      // The bridge was reached: its answer, unusable, is the order's; the repeat is not sent again.
      const calls = bridge.count();
      assert.equal((await f.post(order)).code, 502);
      assert.equal(bridge.count(), calls);
    }
  });

  test(`jucai UNIONPAY: the bridge secret is sealed at rest, replaced at once by a channel set, and gone with the channel (${backend})`, {
    timeout: 60_000,
  }, async (t) => {
    const secrets = ['first-bridge-secret-0001', 'second-bridge-secret-0002'];
    const bridge = await fakeBridge((request) => ({
      body: { code: '000000', msg: 'success', userId: `U-${request.userAuthCode}` },
      secret: null,
    }));
    t.after(() => bridge.close());
    const f = await jucaiFixture(backend, liveEnv('http://127.0.0.1:9/unused'), { bridgeUrl: `${bridge.url}/userid` });
    t.after(() => f.close());
    const channel = `/jucai/merchants/${f.mchNo}/channels/UNIONPAY`;
    const hmac = (secret: string, i: number) =>
      `sha256=${createHmac('sha256', secret).update(bridge.requests[i]!.body.toString('utf8'), 'utf8').digest('hex')}`;
    for (const [i, secret] of secrets.entries()) {
      const set = await f.s.admin(channel, { method: 'PUT', body: { secret } });
      assert.equal(set.status, 200, JSON.stringify(set.body));
      assert.ok(!JSON.stringify(set.body).includes(secret), 'never shown');
      // The next call signs with the new secret at once (this process's caches dropped it).
      await f.post(f.fields({ wayCode: 'UNIONPAY', authCode: `rotate-${i}` }));
      assert.equal(bridge.requests[i]!.headers['x-kaifang-signature'], hmac(secret, i));
      const row = await f.s.k.core.db.selectFrom('jucai_channels').selectAll().where('way_code', '=', 'UNIONPAY').executeTakeFirstOrThrow();
      assert.ok(row.bridge_secret_sealed && !row.bridge_secret_sealed.includes(secret), 'sealed at rest');
      assert.equal(f.s.k.core.box.open(row.bridge_secret_sealed), secret, "the platform's box opens it");
    }
    // A secret outside the policy is refused naming it, and the old one stays.
    const weak = await f.s.admin(channel, { method: 'PUT', body: { secret: 'short' } });
    assert.equal(weak.status, 400, JSON.stringify(weak.body));
    assert.match(JSON.stringify(weak.body), /secret/);
    // Removed: no channel (and no cached secret) for the next order; set again without a secret: required.
    assert.equal((await f.s.admin(channel, { method: 'DELETE' })).status, 200);
    const gone = await f.post(f.fields({ wayCode: 'UNIONPAY', authCode: 'rotate-9' }));
    assert.equal(gone.data?.returnCode, 'CHANNEL_NOT_CONFIGURED', JSON.stringify(gone));
    const again = await f.s.admin(channel, { method: 'PUT', body: { bridgeUrl: `${bridge.url}/userid`, merchantNo: '898310048990001' } });
    assert.equal(again.status, 400, JSON.stringify(again.body));
    assert.equal(bridge.count(), 2);
  });
}
