import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backendNames } from '../../../../test/helpers/backends.ts';
import {
  assertReply,
  fakeWechatPay,
  jucaiFixture,
  liveEnv,
  orderNo,
  paymentCode,
  within,
  wxFound,
  type JucaiFixture,
  type Reply,
} from './helpers.ts';

/**
 * The order: what makes a repeat the same request, which merchant and app it belongs to, a stored
 * answer against channels switched between on and off, and a repeat that arrives while the first
 * is still with the channel. Every test that waits on an order's lock has a time bound.
 */

/** Another merchant under the fixture's ISV, with an app and a WECHAT channel through the same WeChat Pay merchant. */
async function anotherMerchant(f: JucaiFixture, over: { ratePerSecond?: number; appRatePerSecond?: number } = {}) {
  const mch = await f.s.admin('/jucai/merchants', { body: { isvNo: f.isvNo, name: 'second merchant', ...over } });
  assert.equal(mch.status, 201, JSON.stringify(mch.body));
  const app = await f.s.admin('/jucai/apps', { body: { mchNo: mch.body.mchNo } });
  assert.equal(app.status, 201, JSON.stringify(app.body));
  const channel = await f.s.admin(`/jucai/merchants/${mch.body.mchNo}/channels/WECHAT`, {
    method: 'PUT',
    body: { wechatPayMchId: f.payMchId },
  });
  assert.equal(channel.status, 200, JSON.stringify(channel.body));
  return { mchNo: mch.body.mchNo as string, appId: app.body.appId as string, secret: app.body.secret as string };
}

/** A second app of the fixture's merchant. */
async function anotherApp(f: JucaiFixture) {
  const app = await f.s.admin('/jucai/apps', { body: { mchNo: f.mchNo } });
  assert.equal(app.status, 201, JSON.stringify(app.body));
  return { mchNo: f.mchNo, appId: app.body.appId as string, secret: app.body.secret as string };
}

type Caller = { mchNo: string; appId: string; secret: string };
const as = (f: JucaiFixture, who: Caller, fields: Record<string, unknown>) =>
  f.post({ ...fields, mchNo: who.mchNo, appId: who.appId }, { secret: who.secret });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const backend of backendNames()) {
  test(`jucai orders are the merchant's: one order number at two merchants, a repeat through another app, rate limits per merchant and per app (${backend})`, {
    timeout: 60_000,
  }, async (t) => {
    const f = await jucaiFixture(backend);
    t.after(() => f.close());
    const a: Caller = { mchNo: f.mchNo, appId: f.appId, secret: f.secret };
    const b = await anotherMerchant(f);
    const a2 = await anotherApp(f);

    // One order number, two merchants, two codes: two orders, two channel calls, no 409.
    const mchOrderNo = orderNo();
    const [codeA, codeB] = [paymentCode(), paymentCode()];
    const calls = await f.wechatPayCalls();
    const [atA, atB] = await Promise.all([
      as(f, a, f.fields({ mchOrderNo, authCode: codeA })),
      as(f, b, f.fields({ mchOrderNo, authCode: codeB })),
    ]);
    assert.equal(atA.data?.returnCode, '000000', JSON.stringify(atA));
    assert.equal(atB.data?.returnCode, '000000', JSON.stringify(atB));
    assertReply(atA, a.secret);
    assertReply(atB, b.secret);
    assert.notEqual(atA.data!.openid, atB.data!.openid, 'two codes, two payers');
    assert.equal(atA.data!.mchNo, a.mchNo);
    assert.equal(atB.data!.mchNo, b.mchNo);
    assert.equal(await f.wechatPayCalls(), calls + 2);
    // Each merchant's repeat gets its own answer; the other merchant's code is a conflict at each.
    assert.equal((await as(f, b, f.fields({ mchOrderNo, authCode: codeB }))).data?.openid, atB.data!.openid);
    assert.equal((await as(f, a, f.fields({ mchOrderNo, authCode: codeA }))).data?.openid, atA.data!.openid);
    assert.equal((await as(f, a, f.fields({ mchOrderNo, authCode: codeB }))).code, 409);
    assert.equal((await as(f, b, f.fields({ mchOrderNo, authCode: codeA }))).code, 409);
    // The order is the merchant's, not the app's: its other app repeats it (answer signed for that app).
    const viaA2 = await as(f, a2, f.fields({ mchOrderNo, authCode: codeA }));
    assert.equal(viaA2.data?.openid, atA.data!.openid);
    assertReply(viaA2, a2.secret);
    assert.equal((await as(f, a2, f.fields({ mchOrderNo, authCode: codeB }))).code, 409);
    assert.equal(await f.wechatPayCalls(), calls + 2, 'no call for any repeat or conflict');
    // An app of one merchant cannot name the other merchant.
    assert.equal((await as(f, { ...b, appId: a.appId, secret: a.secret }, f.fields())).code, 404);

    // Rate limits: merchant A at 2 a second, B at 4; a burst at both at once: A's calls do not count against B.
    assert.equal((await f.s.admin(`/jucai/merchants/${a.mchNo}`, { method: 'PATCH', body: { ratePerSecond: 2 } })).status, 200);
    assert.equal((await f.s.admin(`/jucai/merchants/${b.mchNo}`, { method: 'PATCH', body: { ratePerSecond: 4 } })).status, 200);
    await sleep(1100);
    const [burstA, burstB] = await Promise.all([
      Promise.all(Array.from({ length: 8 }, () => as(f, a, f.fields()))),
      Promise.all(Array.from({ length: 4 }, () => as(f, b, f.fields()))),
    ]);
    const limited = (rs: Reply[]) => rs.filter((r) => r.code === 429).length;
    assert.ok(limited(burstA) >= 4, `A: ${JSON.stringify(burstA.map((r) => r.code))}`);
    assert.equal(limited(burstB), 0, `B is not limited by A's calls: ${JSON.stringify(burstB.map((r) => r.code))}`);
    // And B's own limit holds: 4 more within the same second or the next are over it.
    const moreB = await Promise.all(Array.from({ length: 8 }, () => as(f, b, f.fields())));
    assert.ok(limited(moreB) >= 4, `B: ${JSON.stringify(moreB.map((r) => r.code))}`);
    // Per app: A's apps at 2 a second each, the merchant unlimited; a burst at one app leaves the other alone.
    assert.equal(
      (await f.s.admin(`/jucai/merchants/${a.mchNo}`, { method: 'PATCH', body: { ratePerSecond: null, appRatePerSecond: 2 } })).status,
      200,
    );
    await sleep(1100);
    const [burst1, burst2] = await Promise.all([
      Promise.all(Array.from({ length: 8 }, () => as(f, a, f.fields()))),
      Promise.all(Array.from({ length: 2 }, () => as(f, a2, f.fields()))),
    ]);
    assert.ok(limited(burst1) >= 4, `app 1: ${JSON.stringify(burst1.map((r) => r.code))}`);
    assert.equal(limited(burst2), 0, `app 2 is not limited by app 1's calls: ${JSON.stringify(burst2.map((r) => r.code))}`);
  });

  test(`jucai: a repeat is the same request when mchNo, mchOrderNo, wayCode, authCode and subAppid are; each changed alone is 409, anything else is the first answer (${backend})`, {
    timeout: 60_000,
  }, async (t) => {
    const f = await jucaiFixture(backend);
    t.after(() => f.close());
    const a2 = await anotherApp(f);
    // An 18-digit code is a valid authCode for either wayCode.
    const first = f.fields({ authCode: paymentCode() });
    const answer = await f.post(first);
    assert.equal(answer.data?.returnCode, '000000', JSON.stringify(answer));
    const calls = await f.wechatPayCalls();
    for (const [what, over] of [
      ['wayCode', { wayCode: 'UNIONPAY' }],
      ['authCode', { authCode: paymentCode() }],
      ['subAppid', { subAppid: 'wx0123456789abcdef' }],
    ] as const) {
      const reply = await f.post({ ...first, ...over });
      assert.equal(reply.code, 409, `${what} changed: ${JSON.stringify(reply)}`);
      assert.match(reply.msg, /^商户订单号重复/);
      assert.equal(reply.data, null);
    }
    // The same request again, however else it differs: the first answer, no channel call.
    for (const [what, fields, caller] of [
      ['termId', { ...first, termId: '87654321' }, undefined],
      ['clientIp', { ...first, clientIp: '::1' }, undefined],
      ['version left out', Object.fromEntries(Object.entries(first).filter(([k]) => k !== 'version')), undefined],
      ['reqTime and signType added', { ...first, reqTime: String(Date.now()), signType: 'MD5' }, undefined],
      ['another app of the merchant', { ...first, appId: a2.appId }, a2.secret],
    ] as const) {
      const reply = await f.post(fields, caller ? { secret: caller } : {});
      assert.equal(reply.code, 200, `${what}: ${JSON.stringify(reply)}`);
      assert.equal(reply.data?.openid, answer.data!.openid, what);
      assert.equal(reply.data?.termId, (fields as Record<string, unknown>).termId, `${what}: the request's termId is echoed`);
    }
    assert.equal(await f.wechatPayCalls(), calls, 'no channel call for a repeat or a conflict');
    // subAppid given first: changed, or left out, is another request too.
    const sub = f.fields({ subAppid: 'wx0123456789abcdef' });
    assert.equal((await f.post(sub)).data?.returnCode, '000000');
    assert.equal((await f.post({ ...sub, subAppid: 'wxfedcba9876543210' })).code, 409);
    assert.equal((await f.post({ ...sub, subAppid: '' })).code, 409);
    assert.equal((await f.post(sub)).code, 200);
  });

  test(`jucai: a channel switched off, or its WeChat Pay merchant disabled, each alone: CHANNEL_NOT_CONFIGURED, nothing recorded; an answered order keeps its answer (${backend})`, {
    timeout: 60_000,
  }, async (t) => {
    const f = await jucaiFixture(backend);
    t.after(() => f.close());
    const answered = f.fields();
    const answer = await f.post(answered);
    assert.equal(answer.data?.returnCode, '000000', JSON.stringify(answer));
    const expectNotConfigured = async (fields: Record<string, unknown>, why: string) => {
      const calls = await f.wechatPayCalls();
      const reply = await f.post(fields);
      assert.equal(reply.code, 200, why);
      assert.equal(reply.data?.returnCode, 'CHANNEL_NOT_CONFIGURED', `${why}: ${JSON.stringify(reply)}`);
      assert.equal(reply.data?.openid, '');
      assertReply(reply, f.secret);
      assert.equal(await f.wechatPayCalls(), calls, `${why}: no channel call`);
    };
    const expectAnswered = async (why: string) => {
      const calls = await f.wechatPayCalls();
      const reply = await f.post(answered);
      assert.equal(reply.data?.returnCode, '000000', `${why}: the stored answer, ${JSON.stringify(reply)}`);
      assert.equal(reply.data?.openid, answer.data!.openid, why);
      assert.equal(await f.wechatPayCalls(), calls, `${why}: from the record, no channel call`);
    };
    const channel = `/jucai/merchants/${f.mchNo}/channels/WECHAT`;
    const pending = f.fields();

    // The channel switched off (not removed): enabled false, its settings kept.
    assert.equal((await f.s.admin(channel, { method: 'PUT', body: { enabled: false } })).status, 200);
    await expectNotConfigured(pending, 'channel switched off');
    await expectAnswered('channel switched off');
    assert.equal((await f.s.admin(channel, { method: 'PUT', body: { enabled: true } })).status, 200);
    // Nothing was recorded: the same order goes through once the channel is on.
    const through = await f.post(pending);
    assert.equal(through.data?.returnCode, '000000', JSON.stringify(through));

    // The WeChat Pay merchant disabled, the channel on.
    const again = f.fields();
    assert.equal((await f.s.admin(`/wechat/pay-merchants/${f.payMchId}/disable`, { method: 'POST' })).status, 200);
    await expectNotConfigured(again, 'WeChat Pay merchant disabled');
    await expectAnswered('WeChat Pay merchant disabled');
    assert.equal((await f.s.admin(`/wechat/pay-merchants/${f.payMchId}/enable`, { method: 'POST' })).status, 200);
    assert.equal((await f.post(again)).data?.returnCode, '000000');

    // The channel removed: the answered order still has its answer; a new one is not configured.
    assert.equal((await f.s.admin(channel, { method: 'DELETE' })).status, 200);
    await expectNotConfigured(f.fields(), 'channel removed');
    await expectAnswered('channel removed');
    // Still refused first for what is checked before the order: the signature, then a disabled app.
    assert.equal((await f.post({ ...answered, sign: 'f'.repeat(32) })).code, 401);
    assert.equal((await f.s.admin(`/jucai/apps/${f.appId}/disable`, { method: 'POST' })).status, 200);
    assert.equal((await f.post(answered)).code, 403);
  });

  test(`jucai: a repeat that arrives while the first is still with the channel waits for its answer; another code is 409 at once (${backend})`, {
    timeout: 60_000,
  }, async (t) => {
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const wechatPay = await fakeWechatPay(async (request, n) => {
      if (n === 1) await held;
      return wxFound(request, `oPayer${request.auth_code}`);
    });
    t.after(() => wechatPay.close());
    const f = await jucaiFixture(backend, { ...liveEnv(wechatPay.url), KAIFANG_UPSTREAM_TIMEOUT_MS: '5000' });
    t.after(() => f.close());
    const fields = f.fields();
    const first = f.post(fields);
    await wechatPay.received(1);
    const second = f.post(fields);
    const third = f.post(fields);
    // While the first runs: another code for the order is a conflict, answered without waiting.
    const conflict = await within(3000, f.post({ ...fields, authCode: paymentCode() }), 'a conflicting request');
    assert.equal(conflict.code, 409, JSON.stringify(conflict));
    await sleep(300);
    release();
    const replies = await within(10_000, Promise.all([first, second, third]), 'the waiting repeats');
    for (const reply of replies) {
      assert.equal(reply.data?.returnCode, '000000', JSON.stringify(reply));
      assert.equal(reply.data?.openid, `oPayer${fields.authCode}`);
    }
    assert.equal(wechatPay.count(), 1, 'one channel call for three requests');
  });
}
