import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../../../../test/helpers/server.ts';
import { debuggerDriver, keepingScreenshot, skip } from '../../../../test/console/browser.ts';

/** 巨彩's auth2OpenId in the debugger: a JSON body signed in the page, answered 200/000000 through the sandbox UnionPay bridge, the reply's `sign` verified in the page; the app secret sent nowhere. */
test('巨彩 in the debugger: signed in the page, answered, the reply signature verified; no secret sent', {
  skip,
  timeout: 120_000,
}, async (t) => {
  const s = await startServer();
  t.after(() => s.close());
  const isv = (await s.admin('/jucai/isvs', { body: { name: 'debugger ISV' } })).body;
  const mch = (await s.admin('/jucai/merchants', { body: { isvNo: isv.isvNo, name: 'debugger merchant' } })).body;
  const app = (await s.admin('/jucai/apps', { body: { mchNo: mch.mchNo } })).body;
  const channel = await s.admin(`/jucai/merchants/${mch.mchNo}/channels/UNIONPAY`, {
    method: 'PUT',
    body: { bridgeUrl: `${s.url}/sandbox/unionpay-bridge`, merchantNo: '898310048990001', secret: 'kaifang-sandbox-bridge-secret' },
  });
  assert.equal(channel.status, 200, JSON.stringify(channel.body));
  const d = await debuggerDriver(t, s.url);
  await keepingScreenshot(
    () => d.page,
    'jucai-debugger',
    async () => {
      await d.open();
      const reply = await d.call('jucai', 'POST /pay/api/1.0/auth2OpenId', app.appId, app.secret, {
        mchNo: mch.mchNo,
        mchOrderNo: 'DBG20261206001',
        wayCode: 'UNIONPAY',
        authCode: 'sandbox-alice',
        termId: '88888888',
        clientIp: '127.0.0.1',
      });
      assert.equal(reply.code, 200, JSON.stringify(reply));
      assert.equal(reply.data.returnCode, '000000', JSON.stringify(reply));
      assert.equal(
        await d.page.locator('[data-reply-verified]').getAttribute('data-reply-verified'),
        'true',
        'the reply’s signature verified in the page',
      );
      d.assertNoSecretSent([app.secret]);
      assert.deepEqual(d.problems, []);
    },
  );
});
