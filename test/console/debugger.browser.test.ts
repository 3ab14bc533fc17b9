import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from '../helpers/server.ts';
import { assertUsable, debuggerDriver, keepingScreenshot, skip } from './browser.ts';

/**
 * The integrator's debugger page itself, in headless Chromium: every front that has a debugger
 * module (src/fronts/<name>/debugger.ts) is offered, with its endpoints from the OpenAPI document;
 * the page passes axe-core, fits 390 and 1280 px and is walked by keyboard; the secret field is a
 * password field no form submits. Each front's own calls through it are tested in its folder
 * (src/fronts/<name>/test/debugger.browser.test.ts).
 */

const FRONTS = join(import.meta.dirname, '../../src/fronts');
const withDebugger = readdirSync(FRONTS).filter((name) => name !== 'kit' && existsSync(join(FRONTS, name, 'debugger.ts')));

test('the debugger page: every front with a debugger is offered; accessible, fits, keyboard', { skip, timeout: 120_000 }, async (t) => {
  const s = await startServer();
  t.after(() => s.close());
  const d = await debuggerDriver(t, s.url);
  await keepingScreenshot(
    () => d.page,
    'debugger-page',
    async () => {
      await d.open();
      const offered = await d.page
        .locator('select[name=front] option')
        .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value));
      assert.deepEqual(offered.sort(), withDebugger.sort());
      for (const front of offered) {
        await d.page.locator('select[name=front]').selectOption(front);
        assert.ok((await d.page.locator('select[name=endpoint] option').count()) >= 1, `${front} has endpoints`);
      }
      assert.equal(await d.page.locator('input[data-secret]').getAttribute('type'), 'password');
      assert.equal(
        await d.page.locator('input[data-secret]').getAttribute('name'),
        null,
        'the secret field has no name: no form would send it',
      );
      await assertUsable(d.page, 'the debugger');
      // The Chinese page too.
      await d.page.getByRole('button', { name: '切换到中文' }).click();
      await d.page.getByRole('button', { name: '签名并发送' }).waitFor();
      await assertUsable(d.page, 'the debugger in Chinese');
      assert.deepEqual(d.problems, []);
    },
  );
});
