import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../../../../test/helpers/server.ts';
import { debuggerDriver, keepingScreenshot, skip } from '../../../../test/console/browser.ts';

/**
 * The 微厅 token call in the debugger: built in the page and answered with a token. The protocol
 * sends the secret itself (in the token call's query, to this server): that request only, and the
 * page shows it masked.
 */
test('微厅 in the debugger: the token call answered; the secret only in that one request', { skip, timeout: 120_000 }, async (t) => {
  const s = await startServer();
  t.after(() => s.close());
  const app = (await s.admin('/weiting/apps', { body: { name: 'debugger partner', allowedHosts: ['127.0.0.1'] } })).body;
  const d = await debuggerDriver(t, s.url);
  await keepingScreenshot(
    () => d.page,
    'weiting-debugger',
    async () => {
      await d.open();
      const reply = await d.call('weiting', 'GET /service/1.0/access/token', app.appid, app.secret);
      assert.equal(reply.status, 200, JSON.stringify(reply));
      assert.match(reply.data, /^\S{32,}$/);
      assert.ok(!((await d.page.locator('[data-step=curl]').textContent()) ?? '').includes(app.secret), 'masked in the curl line shown');
      d.assertNoSecretSent([app.secret], { path: '/service/1.0/access/token', secret: app.secret });
      assert.deepEqual(d.problems, []);
    },
  );
});
