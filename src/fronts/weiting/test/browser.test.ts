import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { OA_APPID, weitingFixture } from './helpers.ts';

/**
 * The 微厅 WeChat login broker in a real browser: headless Chromium (Debian's, never a downloaded
 * one) opens the authorize URL getBaseUrl gives, a person types a sandbox user into the sandbox
 * WeChat's page and approves (or refuses), and the browser follows WeChat's and the platform's
 * redirects to the partner's page (or the platform's error page). What e2e.test.ts checks with
 * fetch and manual redirects, here with a browser's own form submission, redirects and fragments.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (install Debian's chromium, or set CHROMIUM_PATH)`;

test('weiting login broker in headless Chromium: approve on the sandbox WeChat page → the partner page → the openid; refuse → 未获得微信授权', {
  skip,
  timeout: 60_000,
}, async (t) => {
  const f = await weitingFixture('sqlite');
  t.after(() => f.close());
  // Root (CI, containers) needs --no-sandbox (playwright adds it by default too; said anyway). A small
  // /dev/shm (containers) crashes Chromium: Debian's launcher adds --disable-dev-shm-usage only then.
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
  t.after(() => browser.close());
  const context = await browser.newContext({ locale: 'zh-CN' });

  // Every request any page makes (navigations, redirects, subresources, favicon) stays on the server.
  const requests: string[] = [];
  const pageErrors: string[] = [];
  const newPage = async (): Promise<Page> => {
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('request', (request) => requests.push(request.url()));
    page.on('pageerror', (err) => pageErrors.push(err.message));
    return page;
  };

  const token = await f.token();
  const partner = `${f.s.url}/sandbox/partner?from=browser#top`;
  const startLogin = async () => {
    const start = await f.post('/service/wxoauth/2.0/getBaseUrl', { access_token: token }, { form: { state: partner } });
    assert.equal(start.body.status, 200, JSON.stringify(start.body));
    const redirect = start.body.redirect as string;
    assert.ok(redirect.startsWith(`${f.s.url}/sandbox/wechat-open/connect/oauth2/authorize?`), redirect);
    assert.ok(redirect.endsWith('#wechat_redirect'), redirect);
    return redirect;
  };

  // --- Approving as browser_user.
  const page = await newPage();
  const authorize = await page.goto(await startLogin()); // as a browser would: fragment and all
  assert.equal(authorize?.status(), 200);
  assert.equal(new URL(page.url()).hash, '#wechat_redirect');
  const account = (await page.locator('#account').textContent()) ?? '';
  assert.match(account, /上海电信/);
  assert.ok(account.includes(OA_APPID), account);
  assert.equal(await page.locator('#site').textContent(), new URL(f.s.url).host);

  // The browser's own validation: 允许 with no user typed is not submitted.
  assert.equal(await page.locator('#user').evaluate((el: HTMLInputElement) => el.validity.valid), false);
  await page.locator('#user').fill('browser_user');
  assert.equal(await page.locator('#user').evaluate((el: HTMLInputElement) => el.validity.valid), true);

  const wxcode = page.waitForResponse((r) => r.url().startsWith(`${f.s.url}/service/wxoauth/2.0/wxcode?`));
  const landed = page.waitForURL((u) => u.pathname === '/sandbox/partner');
  await page.locator('#approve').click();
  assert.equal((await wxcode).status(), 302);
  await landed;

  const landing = new URL(page.url());
  assert.equal(`${landing.origin}${landing.pathname}`, `${f.s.url}/sandbox/partner`);
  assert.equal(landing.searchParams.get('from'), 'browser', "the partner's own parameters kept");
  assert.equal(landing.hash, '#top', "the partner's fragment kept");
  const code = landing.searchParams.get('code');
  assert.ok(code, `a code on the landing URL: ${landing}`);
  assert.equal(await page.locator('#param-code').textContent(), code);
  assert.equal(await page.locator('#param-from').textContent(), 'browser');

  const got = await f.post('/service/wxoauth/2.0/getOpenidByCode', { access_token: token }, { form: { code } });
  assert.deepEqual(got.body, { status: 200, openid: await f.openidOf('browser_user') });

  // --- Refusing, on a fresh login: the platform's HTML error page, 400.
  const refusing = await newPage();
  await refusing.goto(await startLogin());
  const noCode = refusing.waitForResponse((r) => r.url().startsWith(`${f.s.url}/service/wxoauth/2.0/wxcode?`));
  await refusing.locator('#refuse').click(); // formnovalidate: no user needed
  const refused = await noCode;
  assert.equal(refused.status(), 400);
  assert.match((await refused.headerValue('content-type')) ?? '', /^text\/html/);
  await refusing.waitForLoadState('load');
  const refusedUrl = new URL(refusing.url());
  assert.equal(refusedUrl.pathname, '/service/wxoauth/2.0/wxcode');
  assert.equal(refusedUrl.searchParams.get('code'), null);
  assert.match((await refusing.locator('body').textContent()) ?? '', /未获得微信授权/);

  // Nothing loaded from anywhere but the server.
  const paths = requests.map((u) => new URL(u).pathname);
  for (const path of [
    '/sandbox/wechat-open/connect/oauth2/authorize',
    '/sandbox/wechat-open/connect/oauth2/decide',
    '/service/wxoauth/2.0/wxcode',
    '/sandbox/partner',
  ]) {
    assert.ok(paths.includes(path), `${path} among the requests seen: ${requests.join(' ')}`);
  }
  const external = requests.filter((u) => !u.startsWith(`${f.s.url}/`));
  assert.deepEqual(external, [], 'requests off the server');
  assert.deepEqual(pageErrors, []);
});
