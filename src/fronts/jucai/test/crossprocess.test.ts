import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backendNames, makeBackend, TEST_ADMIN_TOKEN } from '../../../../test/helpers/backends.ts';
import { serveProcess, stopProcess } from '../../../../test/helpers/children.ts';
import { independentSign, orderNo, paymentCode, SANDBOX_WECHATPAY_KEY, type Reply } from './helpers.ts';

/**
 * The first answer for an order is kept across processes and crashes: the same request arriving at
 * two processes at the same moment makes one channel call, and an answer that was sent survives
 * `kill -9` of the process right after it.
 */

async function seed(url: string) {
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
  test(`jucai across two processes: one request at both at once makes one channel call (${name})`, async (t) => {
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
      const [x, y] = await Promise.all([post(a.url, fields, app.secret), post(b.url, fields, app.secret)]);
      assert.equal(x.data?.returnCode, '000000', JSON.stringify(x));
      assert.equal(y.data?.returnCode, '000000', JSON.stringify(y));
      assert.equal(x.data!.openid, y.data!.openid);
    }
    assert.equal((await calls(a.url)) + (await calls(b.url)), ROUNDS, 'one channel call per order, whichever process made it');
  });

  test(`jucai durability: an answer sent survives kill -9 right after it; the retry gets it with no channel call (${name})`, async (t) => {
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
      const again = await post(second.url, o, app.secret);
      assert.equal(again.data?.returnCode, '000000');
      assert.equal(again.data!.openid, answered[i]!.data!.openid);
    }
    assert.equal(await calls(second.url), 0, 'the restarted process made no channel call');
  });
}
