import { test } from 'node:test';
import assert from 'node:assert/strict';
import { demoText } from '../../src/cli/serve.ts';
import { startServer } from '../helpers/server.ts';
import { assertAccessible, assertFits, keepingScreenshot, launch, skip, watchedPage } from './browser.ts';

/**
 * Every page of the console, whatever the fronts declare: with every front's demo seeded, each
 * link of the menu and the first record of each list (with its create form open) passes axe-core
 * with no serious or critical violation and fits 390 and 1280 px without sideways scrolling.
 */
test('every console page: axe-core clean, fits 390 and 1280 px', { skip, timeout: 300_000 }, async (t) => {
  const s = await startServer();
  t.after(() => s.close());
  await demoText(s.k, s.url);
  const browser = await launch(t);
  let records = 0;
  // One language here (Chinese pages are checked in console.browser.test.ts and the debugger's own test): the
  // suite runs two files at a time on two cores, and a browser is the heaviest thing in it.
  for (const locale of ['en-GB']) {
    const context = await browser.newContext({ locale, viewport: { width: 1280, height: 800 } });
    const { page, problems } = await watchedPage(context);
    await keepingScreenshot(
      () => page,
      `console-pages-${locale}`,
      async () => {
        await page.goto(`${s.url}/console/`);
        await page.locator('input[name=token]').fill(s.adminToken);
        await page.keyboard.press('Enter');
        await page.locator('nav.side').waitFor();
        const links = await page.locator('nav.side a').evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
        assert.ok(links.length >= 15, links.join(' '));
        for (const href of links) {
          await page.goto(`${s.url}/console/${href}`);
          await page.waitForLoadState('networkidle');
          await page.waitForTimeout(300);
          const create = page.locator('main form[role=search] button[type=button]');
          if (await create.count()) await create.first().click();
          await assertAccessible(page, `${href} (${locale})`);
          await assertFits(page, `${href} (${locale})`);
          await page.setViewportSize({ width: 1280, height: 800 });
          const record = page.locator('main tbody tr td:first-child a').first();
          if (href.startsWith('#/f/') && (await record.count())) {
            await record.click();
            await page.locator('main dl.props').waitFor();
            records++;
            await page.waitForLoadState('networkidle');
            await assertAccessible(page, `a record of ${href} (${locale})`);
            await assertFits(page, `a record of ${href} (${locale})`);
            await page.setViewportSize({ width: 1280, height: 800 });
          }
        }
      },
    );
    assert.deepEqual(problems, []);
    await context.close();
  }
  assert.ok(records >= 9, `${records} record pages seen`);
});
