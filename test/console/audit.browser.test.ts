import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fronts } from '../../src/fronts/all.ts';
import { startServer } from '../helpers/server.ts';
import { assertUsable, keepingScreenshot, launch, skip, VIEWPORTS, watchedPage } from './browser.ts';

/**
 * The console's audit page, in a browser: the writes made through the admin API and the console
 * are listed with their actor (`console:root` for the console's own), filtered by actor from a
 * link, keyboard-reachable, axe-clean and fitting 390 px; a read-only token's session is told so
 * and offered no create form, and the API refuses its writes.
 */
const opretail = fronts.some((f) => f.name === 'opretail');

test('the audit page lists admin writes with their actors; a read-only session is offered no writes', {
  skip: skip || (opretail ? false : 'needs the opretail front'),
  timeout: 120_000,
}, async (t) => {
  const s = await startServer();
  t.after(() => s.close());
  const made = await s.admin('/tokens', { body: { name: 'viewer', scope: 'read' } });
  assert.equal(made.status, 201);
  const key = await s.admin('/opretail/keys', { body: { username: 'audited developer', enterpriseId: 3 } });
  assert.equal(key.status, 201);
  const browser = await launch(t);
  const context = await browser.newContext({ locale: 'en-GB', viewport: VIEWPORTS[0] });
  const { page, problems } = await watchedPage(context);
  await keepingScreenshot(
    () => page,
    'console-audit',
    async () => {
      await page.goto(`${s.url}/console/`);
      await page.locator('input[name=token]').fill(s.adminToken);
      await page.keyboard.press('Enter');
      await page.locator('nav.side').waitFor();
      await page.goto(`${s.url}/console/#/audit`);
      await page.locator('main table caption', { hasText: 'Audit trail' }).waitFor();
      const rows = page.locator('main tbody tr');
      assert.equal(await rows.count(), 2);
      const text = (await page.locator('main tbody').textContent()) ?? '';
      assert.match(text, /POST \/opretail\/keys/);
      assert.match(text, new RegExp(key.body.applicationKey));
      assert.match(text, /POST \/tokens/);
      assert.ok(!text.includes(made.body.token) && !text.includes(key.body.applicationSecret), 'no secret on the page');
      await page.setViewportSize(VIEWPORTS[0]);
      await assertUsable(page, 'the audit page');

      // Filter by action through the form.
      await page.setViewportSize(VIEWPORTS[1]);
      await page.locator('main input[name=action]').fill('tokens');
      await page.locator('main form button[type=submit]').click();
      await page.waitForFunction(() => location.hash.includes('action=tokens'));
      await page.waitForFunction(() => document.querySelectorAll('main tbody tr').length === 1);
      assert.match((await page.locator('main tbody').textContent()) ?? '', /viewer/);

      // A console write is recorded as console:root.
      const r = await page.evaluate(async () => {
        const session = await (await fetch('/console/api/session')).json();
        const res = await fetch(`/admin/api/tokens/viewer/revoke`, { method: 'POST', headers: { 'x-csrf-token': session.csrf } });
        return res.status;
      });
      assert.equal(r, 200);
      const audit = await s.admin('/audit?actor=console:root');
      assert.deepEqual(
        audit.body.entries.map((e: any) => [e.action, e.objectId]),
        [['POST /tokens/:name/revoke', 'viewer']],
      );
    },
  );
  assert.deepEqual(problems, []);
  await context.close();

  // A read-only token's session: told so, no create form; its writes refused by the API.
  const reader = await s.admin('/tokens', { body: { name: 'reader', scope: 'read' } });
  const ro = await browser.newContext({ locale: 'en-GB', viewport: VIEWPORTS[0] });
  const watched = await watchedPage(ro);
  await keepingScreenshot(
    () => watched.page,
    'console-read-only',
    async () => {
      const p = watched.page;
      await p.goto(`${s.url}/console/`);
      await p.locator('input[name=token]').fill(reader.body.token);
      await p.keyboard.press('Enter');
      await p.locator('nav.side').waitFor();
      await p.locator('header.top', { hasText: 'Read-only token' }).waitFor();
      await p.goto(`${s.url}/console/#/f/opretail/keys`);
      await p.locator('main h2').waitFor();
      await p.waitForLoadState('networkidle');
      assert.equal(await p.locator('main button', { hasText: 'Create or import a key' }).count(), 0);
      const status = await p.evaluate(async () => {
        const session = await (await fetch('/console/api/session')).json();
        const res = await fetch('/admin/api/opretail/keys', {
          method: 'POST',
          headers: { 'x-csrf-token': session.csrf, 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'x', enterpriseId: 1 }),
        });
        return res.status;
      });
      assert.equal(status, 403);
    },
  );
  assert.deepEqual(watched.problems, []);
  const refused = await s.admin('/audit?actor=console:reader');
  assert.equal(refused.body.entries[0]?.outcome, '403 Forbidden');
});
