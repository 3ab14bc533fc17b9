import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../../../../test/helpers/server.ts';
import { assertUsable, debuggerDriver, keepingScreenshot, skip } from '../../../../test/console/browser.ts';

/**
 * The 万店掌 gateway in the integrator's debugger (headless Chromium, real HTTP): a call built and
 * signed in the page and answered with success; the same call signed with a wrong secret refused,
 * then explained — the first failing check named, the string to sign the gateway expects beside
 * the one the code signed, differences marked; and neither secret in any request the page made.
 */
test('万店掌 in the debugger: signed in the page and answered; a wrong secret explained; no secret sent', {
  skip,
  timeout: 120_000,
}, async (t) => {
  const s = await startServer();
  t.after(() => s.close());
  const key = (await s.admin('/opretail/keys', { body: { username: 'debugger developer', enterpriseId: 42 } })).body;
  const WRONG = 'wrong-secret-typed-by-the-partner';
  const d = await debuggerDriver(t, s.url);
  const fields = { _mt: 'open.gateway.authentication', _version: 'v1', _sm: 'md5', _requestMode: 'post' };
  await keepingScreenshot(
    () => d.page,
    'opretail-debugger',
    async () => {
      await d.open();
      const ok = await d.call('opretail', 'POST /m.api', key.applicationKey, key.secret, fields, 'orgid=42');
      assert.equal(ok.stat.code, 0, JSON.stringify(ok));
      const shown = (await d.page.locator('[data-step=string-to-sign]').textContent()) ?? '';
      assert.ok(shown.startsWith('<secret>_aid') && shown.endsWith('<secret>') && shown.includes(`_akey${key.applicationKey}`), shown);
      assert.match((await d.page.locator('[data-step=signature]').textContent()) ?? '', /^[0-9A-F]{32}$/);
      assert.match((await d.page.locator('[data-step=curl]').textContent()) ?? '', /^curl -sS -X POST '.*\/m\.api'/);

      // The partner's code signed with a wrong secret: the gateway refuses it…
      const refused = await d.call('opretail', 'POST /m.api', key.applicationKey, WRONG, fields, 'orgid=42');
      assert.equal(refused.stat.codename, 'SIGN_WRONG', JSON.stringify(refused));
      const curl = (await d.page.locator('[data-step=curl]').textContent()) ?? '';
      const theirs = ((await d.page.locator('[data-step=string-to-sign]').textContent()) ?? '').replaceAll('<secret>', WRONG);
      // …they paste what it sent and the string it signed, and type the secret the platform gave them.
      await d.page.locator('input[data-secret]').fill(key.secret);
      await d.page.locator('textarea[name=pasted]').fill(curl);
      await d.page.locator('textarea[name=theirs]').fill(theirs);
      await d.page.getByRole('button', { name: 'Check it' }).click();
      const first = d.page.locator('[data-first-failing]');
      await first.waitFor();
      assert.equal(await first.getAttribute('data-first-failing'), '_sig matches');
      const expected = (await d.page.locator('[data-step=expected-string-to-sign]').textContent()) ?? '';
      assert.ok(expected.startsWith('<secret>_aid') && expected.includes(`_akey${key.applicationKey}`), expected);
      assert.ok(!expected.includes(key.secret), 'the secret is masked');
      assert.ok(await d.page.locator('[data-step=their-string-to-sign] mark.diff').count(), 'the differing characters are marked');
      const checks = await d.page.locator('li.check').allTextContents();
      assert.match(checks[0]!, /System parameters present/);
      assert.match(checks.at(-1)!, /_sig matches/);
      assert.ok(checks.some((c) => /within ±600 s/.test(c)));

      // A stale timestamp is named before the signature, with its skew.
      await d.page.locator('textarea[name=pasted]').fill(curl.replace(/_timestamp=\d{14}/, '_timestamp=20200101000000'));
      await d.page.getByRole('button', { name: 'Check it' }).click();
      await d.page.locator('[data-first-failing="_timestamp within ±600 s of the platform\'s time"]').waitFor();
      assert.ok(Number(await d.page.locator('[data-skew]').getAttribute('data-skew')) < -1e8);
      await assertUsable(d.page, 'the debugger explaining a 万店掌 refusal');

      d.assertNoSecretSent([key.secret, WRONG]);
      assert.deepEqual(d.problems, []);
    },
  );
});
