import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../../../../test/helpers/server.ts';
import { debuggerDriver, keepingScreenshot, skip } from '../../../../test/console/browser.ts';

/** The 超赢 agent API in the debugger: GetMchSMSValid signed in the page, answered with success, its reply's `sign` verified there; the key sent nowhere. */
test('超赢 in the debugger: signed in the page, answered, the reply verified; no key sent', { skip, timeout: 120_000 }, async (t) => {
  const s = await startServer();
  t.after(() => s.close());
  const agent = (await s.admin('/storepos/agents', { body: { name: 'debugger agent' } })).body;
  const d = await debuggerDriver(t, s.url);
  await keepingScreenshot(
    () => d.page,
    'storepos-debugger',
    async () => {
      await d.open();
      const reply = await d.call('storepos', 'POST /Mch/GetMchSMSValid', agent.agentId, agent.secret, {
        pid: 'storepos',
        version: '1.0',
        mobile: '13800138777',
      });
      assert.equal(reply.state, 'SUCCESS', JSON.stringify(reply));
      assert.equal(reply.msg, '短信验证码已发送');
      assert.equal(await d.page.locator('[data-reply-verified]').getAttribute('data-reply-verified'), 'true');
      const shown = (await d.page.locator('[data-step=string-to-sign]').textContent()) ?? '';
      assert.match(shown, /^agent_id=\d+&mobile=13800138777&pid=storepos&version=1\.0&key=<secret>$/);
      d.assertNoSecretSent([agent.secret]);
      assert.deepEqual(d.problems, []);
    },
  );
});
