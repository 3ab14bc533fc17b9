import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backendNames, makeBackend, TEST_ADMIN_TOKEN } from '../../../../test/helpers/backends.ts';
import { serveProcess, stopProcess } from '../../../../test/helpers/children.ts';
import {
  fakeBridge,
  fakeWechatPay,
  independentSign,
  liveEnv,
  orderNo,
  paymentCode,
  SANDBOX_BRIDGE_SECRET,
  SANDBOX_WECHATPAY_KEY,
  within,
  wxFound,
  type Reply,
} from './helpers.ts';

/**
 * The first answer for an order is kept across processes and crashes: the same request arriving at
 * two processes at the same moment makes one channel call, an answer that was sent survives
 * `kill -9` of the process right after it, and an order whose process was killed mid-call is
 * answered to its retry once the order's lease (the channel's timeout plus a margin) has passed,
 * with one more query. Every test is bounded in time: an order lock never released fails it.
 */

async function seed(url: string, bridgeUrl?: string) {
  const admin = async (path: string, body: unknown, method = 'POST') => {
    const res = await fetch(`${url}/admin/api${path}`, {
      method,
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as any;
    assert.ok(res.status < 300, JSON.stringify(json));
    return json;
  };
  const isv = await admin('/jucai/isvs', { name: 'isv' });
  const mch = await admin('/jucai/merchants', { isvNo: isv.isvNo, name: 'mch' });
  const app = await admin('/jucai/apps', { mchNo: mch.mchNo });
  await admin('/wechat/pay-merchants', { mchId: '1900000109', appid: 'wxd930ea5d5a258f4f', key: SANDBOX_WECHATPAY_KEY });
  await admin(`/jucai/merchants/${mch.mchNo}/channels/WECHAT`, { wechatPayMchId: '1900000109' }, 'PUT');
  if (bridgeUrl)
    await admin(
      `/jucai/merchants/${mch.mchNo}/channels/UNIONPAY`,
      { bridgeUrl, merchantNo: '898310048990001', secret: SANDBOX_BRIDGE_SECRET },
      'PUT',
    );
  return { mchNo: mch.mchNo as string, appId: app.appId as string, secret: app.secret as string };
}

async function post(url: string, fields: Record<string, unknown>, secret: string): Promise<Reply> {
  const res = await fetch(`${url}/pay/api/1.0/auth2OpenId`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...fields, sign: independentSign(fields, secret) }),
  });
  return (await res.json()) as Reply;
}

const calls = async (url: string) =>
  ((await (await fetch(`${url}/sandbox/wechatpay/calls`)).json()) as { authcodetoopenid: number }).authcodetoopenid;

for (const name of backendNames()) {
  test(`jucai across two processes: one request at both at once makes one channel call (${name})`, { timeout: 120_000 }, async (t) => {
    const backend = await makeBackend(name);
    t.after(() => backend.cleanup());
    const a = await serveProcess(backend.env);
    t.after(() => stopProcess(a.child));
    const b = await serveProcess(backend.env);
    t.after(() => stopProcess(b.child));
    const app = await seed(a.url);
    const ROUNDS = 10;
    for (let i = 0; i < ROUNDS; i++) {
      const fields = {
        termId: '88888888',
        mchNo: app.mchNo,
        appId: app.appId,
        mchOrderNo: orderNo(),
        wayCode: 'WECHAT',
        authCode: paymentCode(),
        clientIp: '127.0.0.1',
      };
      const [x, y] = await within(
        15_000,
        Promise.all([post(a.url, fields, app.secret), post(b.url, fields, app.secret)]),
        'one order at two processes',
      );
      assert.equal(x.data?.returnCode, '000000', JSON.stringify(x));
      assert.equal(y.data?.returnCode, '000000', JSON.stringify(y));
      assert.equal(x.data!.openid, y.data!.openid);
    }
    assert.equal((await calls(a.url)) + (await calls(b.url)), ROUNDS, 'one channel call per order, whichever process made it');
  });

  test(`jucai durability: an answer sent survives kill -9 right after it; the retry gets it with no channel call (${name})`, {
    timeout: 120_000,
  }, async (t) => {
    const backend = await makeBackend(name);
    t.after(() => backend.cleanup());
    const first = await serveProcess(backend.env);
    const app = await seed(first.url);
    const orders = Array.from({ length: 5 }, () => ({
      termId: '88888888',
      mchNo: app.mchNo,
      appId: app.appId,
      mchOrderNo: orderNo(),
      wayCode: 'WECHAT',
      authCode: paymentCode(),
      clientIp: '127.0.0.1',
    }));
    const answered = await Promise.all(orders.map((o) => post(first.url, o, app.secret)));
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    const second = await serveProcess(backend.env);
    t.after(() => stopProcess(second.child));
    for (const [i, o] of orders.entries()) {
      const again = await within(15_000, post(second.url, o, app.secret), 'a repeat after the restart');
      assert.equal(again.data?.returnCode, '000000');
      assert.equal(again.data!.openid, answered[i]!.data!.openid);
    }
    assert.equal(await calls(second.url), 0, 'the restarted process made no channel call');
  });

  test(`jucai after kill -9 mid-call: a retry waiting at another process takes the order over once its lease passes and asks the channel once more (${name})`, {
    timeout: 120_000,
  }, async (t) => {
    // Channels of the test's own: the first query of each is never answered (the process asking is killed), later ones are.
    const wechatPay = await fakeWechatPay((request, n) => (n === 1 ? 'hang' : wxFound(request, `oPayer${request.auth_code}`)));
    t.after(() => wechatPay.close());
    const bridge = await fakeBridge((request, n) =>
      n === 1 ? 'hang' : { body: { code: '000000', msg: 'success', userId: `U-${request.userAuthCode}` }, secret: SANDBOX_BRIDGE_SECRET },
    );
    t.after(() => bridge.close());
    const backend = await makeBackend(name);
    t.after(() => backend.cleanup());
    // The channel's timeout 3 s: an order's lease is 5 s (README: timeout + 2 s).
    const env = { ...backend.env, ...liveEnv(wechatPay.url), KAIFANG_UPSTREAM_TIMEOUT_MS: '3000' };
    // Both at once; if one fails to start, the other is stopped too, so the file ends.
    const started = await Promise.allSettled([serveProcess(env), serveProcess(env)]);
    for (const s of started) if (s.status === 'fulfilled') t.after(() => stopProcess(s.value.child));
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    const [a, b] = started.map((s) => (s as PromiseFulfilledResult<Awaited<ReturnType<typeof serveProcess>>>).value) as [
      Awaited<ReturnType<typeof serveProcess>>,
      Awaited<ReturnType<typeof serveProcess>>,
    ];
    const app = await seed(a.url, `${bridge.url}/userid`);
    const order = (wayCode: string, authCode: string) => ({
      termId: '88888888',
      mchNo: app.mchNo,
      appId: app.appId,
      mchOrderNo: orderNo(),
      wayCode,
      authCode,
      clientIp: '127.0.0.1',
    });
    const orders = [order('WECHAT', paymentCode()), order('UNIONPAY', 'upauth-crash-1')];
    const lost = orders.map((o) =>
      post(a.url, o, app.secret).then(
        () => 'answered',
        () => 'connection lost',
      ),
    );
    await Promise.all([wechatPay.received(1), bridge.received(1)]);
    // The cashier's retries reach the other process while the first calls are with the channels: they wait.
    const retries = orders.map((o) => post(b.url, o, app.secret));
    await new Promise((r) => setTimeout(r, 200));
    a.child.kill('SIGKILL');
    await new Promise((r) => a.child.once('exit', r));
    assert.deepEqual(await Promise.all(lost), ['connection lost', 'connection lost']);
    // Within the lease and a generous margin (bounded: a lock never released fails here, it does not hang).
    const [wechat, unionpay] = await within(20_000, Promise.all(retries), 'the retries of orders whose process was killed');
    assert.equal(wechat!.data?.returnCode, '000000', JSON.stringify(wechat));
    assert.equal(wechat!.data!.openid, `oPayer${orders[0]!.authCode}`);
    assert.equal(unionpay!.data?.returnCode, '000000', JSON.stringify(unionpay));
    assert.equal(unionpay!.data!.openid, 'U-upauth-crash-1');
    assert.equal(wechatPay.count(), 2, 'the killed query, and one more');
    assert.equal(wechatPay.fields(1).auth_code, orders[0]!.authCode);
    assert.equal(bridge.count(), 2, 'the killed call, and one more');
    assert.equal(bridge.json(1).requestId, bridge.json(0).requestId, 'the same requestId: the bridge can answer the repeat as the first');
    // From then on each order has its answer: no third call.
    for (const o of orders) {
      const again = await within(15_000, post(b.url, o, app.secret), 'a repeat');
      assert.equal(again.data?.returnCode, '000000');
    }
    assert.equal(wechatPay.count(), 2);
    assert.equal(bridge.count(), 2);
  });
}
