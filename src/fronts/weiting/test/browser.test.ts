import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the page, as `rule: targets`. */
async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: AXE_SOURCE });
  const result = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }
    ).axe;
    return (await axe.run()).violations;
  });
  return result
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test('weiting login pages at 390 × 844 in Chromium: Enter approves, axe finds nothing serious, error pages lead back to the partner, headers', {
  skip,
  timeout: 90_000,
}, async (t) => {
  const f = await weitingFixture('sqlite');
  t.after(() => f.close());
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
  t.after(() => browser.close());
  // bypassCSP: only so the test can inject axe-core into pages whose CSP forbids any script.
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 }, bypassCSP: true });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const token = await f.token();
  const partner = `${f.s.url}/sandbox/partner?from=pages`;
  const startLogin = async () =>
    (await f.post('/service/wxoauth/2.0/getBaseUrl', { access_token: token }, { form: { state: partner } })).body.redirect as string;
  const problems: string[] = [];
  const axe = async (name: string) => {
    for (const v of await axeViolations(page)) problems.push(`${name}: ${v}`);
  };
  const noHorizontalScroll = async (name: string) => {
    const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    if (wide) problems.push(`${name}: wider than 390 px`);
  };

  // The authorize page: its headers, axe, the rule beside the field, and Enter in the user field approves.
  const authorize = await page.goto(await startLogin());
  assert.equal(authorize?.headers()['x-frame-options'], 'DENY');
  assert.match(authorize?.headers()['content-security-policy'] ?? '', /default-src 'none'.*frame-ancestors 'none'/);
  await axe('authorize page');
  await noHorizontalScroll('authorize page');
  assert.equal(await page.locator('#user').getAttribute('maxlength'), '64');
  const rule = (await page.locator('#user-rule').textContent()) ?? '';
  assert.match(rule, /1–64 位英文字母、数字或下划线/);
  assert.equal(await page.locator('#user').getAttribute('aria-describedby'), 'user-rule');
  await page.locator('#user').fill('enter_user');
  const landed = page.waitForURL((u) => u.pathname === '/sandbox/partner');
  await page.locator('#user').press('Enter');
  await landed;
  const code = new URL(page.url()).searchParams.get('code');
  assert.ok(code, `Enter approved: ${page.url()}`);
  assert.deepEqual((await f.post('/service/wxoauth/2.0/getOpenidByCode', { access_token: token }, { form: { code } })).body, {
    status: 200,
    openid: await f.openidOf('enter_user'),
  });
  // Keyboard order: the field, then 允许, then 拒绝.
  await page.goto(await startLogin());
  await page.locator('#user').focus();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'approve');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'refuse');

  // Refusing: the page says so in Chinese, with the request id, and 返回 (by keyboard) leads to the partner with error=access_denied.
  const refusedResponse = page.waitForResponse((r) => r.url().startsWith(`${f.s.url}/service/wxoauth/2.0/wxcode?`));
  await page.keyboard.press('Enter'); // on 拒绝
  const refused = await refusedResponse;
  assert.equal(refused.status(), 400);
  assert.equal(refused.headers()['x-frame-options'], 'DENY');
  assert.match(refused.headers()['content-security-policy'] ?? '', /default-src 'none'/);
  assert.equal(refused.headers()['referrer-policy'], 'no-referrer');
  await page.waitForLoadState('load');
  assert.match((await page.locator('h1').textContent()) ?? '', /未获得微信授权/);
  assert.equal(await page.locator('#request-id').textContent(), refused.headers()['x-request-id']);
  await axe('refused page');
  await noHorizontalScroll('refused page');
  await page.locator('#back').focus();
  const back = page.waitForURL((u) => u.pathname === '/sandbox/partner');
  await page.keyboard.press('Enter');
  await back;
  const backUrl = new URL(page.url());
  assert.equal(backUrl.searchParams.get('error'), 'access_denied');
  assert.equal(backUrl.searchParams.get('from'), 'pages');
  assert.equal(backUrl.searchParams.get('code'), null);

  // WeChat busy (-1): temporary, 502, 返回 with error=temporarily_unavailable.
  const busy = new URL(await startLogin());
  busy.hash = '';
  busy.searchParams.set('sandbox_user', 'busy');
  const busyPage = await page.goto(busy.toString());
  assert.equal(busyPage?.status(), 502);
  assert.match((await page.locator('h1').textContent()) ?? '', /微信暂时繁忙/);
  assert.match((await page.locator('main').textContent()) ?? '', /稍后/);
  assert.ok(await page.locator('#request-id').textContent());
  await axe('WeChat busy page');
  await Promise.all([page.waitForURL((u) => u.pathname === '/sandbox/partner'), page.locator('#back').click()]);
  assert.equal(new URL(page.url()).searchParams.get('error'), 'temporarily_unavailable');

  // The same login approved twice: the second comes back to a used link → 登录链接已失效, back with error=login_expired.
  const twice = new URL(await startLogin());
  twice.hash = '';
  twice.searchParams.set('sandbox_user', 'twice_user');
  await page.goto(twice.toString());
  assert.equal(new URL(page.url()).pathname, '/sandbox/partner');
  const again = await page.goto(twice.toString());
  assert.equal(again?.status(), 400);
  assert.match((await page.locator('h1').textContent()) ?? '', /登录链接已失效/);
  await axe('used link page');
  await Promise.all([page.waitForURL((u) => u.pathname === '/sandbox/partner'), page.locator('#back').click()]);
  assert.equal(new URL(page.url()).searchParams.get('error'), 'login_expired');
  assert.equal(new URL(page.url()).searchParams.get('code'), null);

  // No state at all: nothing to go back to, said in Chinese, with the request id.
  const bare = await page.goto(`${f.s.url}/service/wxoauth/2.0/wxcode?code=x`);
  assert.equal(bare?.status(), 400);
  assert.match((await page.locator('main').textContent()) ?? '', /请回到原来的页面重新登录/);
  assert.equal(await page.locator('#back').count(), 0);
  assert.ok(await page.locator('#request-id').textContent());
  await axe('no-state page');

  // The sandbox WeChat refuses a redirect_uri outside the authorized domain (10003), as WeChat does.
  const foreign = new URL(await startLogin());
  foreign.hash = '';
  foreign.searchParams.set('redirect_uri', 'https://evil.example.com/service/wxoauth/2.0/wxcode');
  const refused10003 = await page.goto(foreign.toString());
  assert.equal(refused10003?.status(), 400);
  assert.match((await page.locator('main').textContent()) ?? '', /10003 redirect_uri域名与后台配置不一致/);
  await axe('10003 page');

  assert.deepEqual(problems, []);
});
