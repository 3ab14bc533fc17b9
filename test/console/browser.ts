import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/**
 * What the console's and the debugger's browser tests share: Debian's headless Chromium through
 * playwright-core (never a downloaded browser), axe-core injected into the page, the two viewports
 * every page must fit, the keyboard walk, and a screenshot kept under test-output/ when a test fails.
 */

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const skip = existsSync(CHROMIUM)
  ? existsSync(join(ROOT, 'dist/console/console.html'))
    ? false
    : 'the console is not built (npm run build; npm test does it)'
  : `no Chromium at ${CHROMIUM} (install Debian's chromium, or set CHROMIUM_PATH)`;

export const OUTPUT = join(ROOT, 'test-output', 'console');

export const VIEWPORTS = [
  { width: 390, height: 844 },
  { width: 1280, height: 800 },
] as const;

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export async function launch(t: TestContext): Promise<Browser> {
  // Root (CI, containers) needs --no-sandbox; a small /dev/shm crashes Chromium without --disable-dev-shm-usage.
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  t.after(() => browser.close());
  return browser;
}

export interface Watched {
  page: Page;
  /** Every request the page made: URL, headers and body. */
  requests: { url: string; method: string; headers: Record<string, string>; body: string }[];
  /** Script errors and CSP refusals. */
  problems: string[];
}

/** A page whose requests, script errors and CSP refusals are recorded. */
export async function watchedPage(context: BrowserContext): Promise<Watched> {
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const watched: Watched = { page, requests: [], problems: [] };
  page.on('request', (request) => {
    void request
      .allHeaders()
      .then((headers) => watched.requests.push({ url: request.url(), method: request.method(), headers, body: request.postData() ?? '' }));
  });
  page.on('pageerror', (err) => watched.problems.push(`page error: ${err.message}`));
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/.test(message.text())) watched.problems.push(`CSP: ${message.text()}`);
  });
  page.on('dialog', (dialog) => void dialog.accept());
  return watched;
}

/** Runs `body`; on a failure keeps a screenshot of `page` under test-output/console/<name>.png, then fails. */
export async function keepingScreenshot(page: () => Page | undefined, name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    const p = page();
    if (p && !p.isClosed()) {
      mkdirSync(OUTPUT, { recursive: true });
      const path = join(OUTPUT, `${name.replace(/[^A-Za-z0-9_-]+/g, '-')}.png`);
      await p.screenshot({ path, fullPage: true }).catch(() => undefined);
      (err as Error).message += `\n(screenshot: ${path})`;
    }
    throw err;
  }
}

/** axe-core on the page as it is: no serious or critical violation. */
export async function assertAccessible(page: Page, what: string): Promise<void> {
  // Evaluated through the debugging protocol, which the page's CSP does not govern (an injected <script> would be refused).
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const result = await (
      window as unknown as {
        axe: {
          run(
            ctx: Document,
            o: object,
          ): Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }>;
        };
      }
    ).axe.run(document, {
      resultTypes: ['violations'],
    });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map(
        (v) =>
          `${v.id} (${v.impact}): ${v.help} — ${v.nodes
            .map((n) => n.target.join(' '))
            .slice(0, 3)
            .join(', ')}`,
      );
  });
  assert.deepEqual(violations, [], `axe-core on ${what}`);
}

/** At each viewport the page has no horizontal scrolling. */
export async function assertFits(page: Page, what: string): Promise<void> {
  for (const viewport of VIEWPORTS) {
    await page.setViewportSize(viewport);
    await page.waitForTimeout(150);
    const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
    assert.ok(scroll <= width, `${what} at ${viewport.width}×${viewport.height}: scrolls sideways (${scroll} > ${width})`);
  }
}

/** Tab reaches every visible link, button and field of the page, in turn. */
export async function assertKeyboardReachable(page: Page, what: string): Promise<void> {
  const count = await page.evaluate(() => {
    const all = [
      ...document.querySelectorAll<HTMLElement>('a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])'),
    ];
    const visible = all.filter(
      (el) =>
        !(el as HTMLButtonElement).disabled &&
        el.getClientRects().length > 0 &&
        getComputedStyle(el).visibility !== 'hidden' &&
        !el.closest('details:not([open]) > :not(summary)'),
    );
    for (const [i, el] of visible.entries()) el.dataset.kb = String(i);
    (document.activeElement as HTMLElement | null)?.blur();
    return visible.length;
  });
  const seen = new Set<string>();
  // A date-time field takes several stops (day, month, year, hour…): room for them.
  for (let i = 0; i < count * 4 + 20 && seen.size < count; i++) {
    await page.keyboard.press('Tab');
    const kb = await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.kb ?? null);
    if (kb !== null) seen.add(kb);
  }
  const missed = await page.evaluate(
    (reached) =>
      [...document.querySelectorAll<HTMLElement>('[data-kb]')]
        .filter((el) => !reached.includes(el.dataset.kb!))
        .map((el) => el.outerHTML.slice(0, 120)),
    [...seen],
  );
  assert.deepEqual(missed, [], `${what}: not reached with Tab`);
}

/** All three checks of a page. */
export async function assertUsable(page: Page, what: string): Promise<void> {
  await assertAccessible(page, what);
  await assertFits(page, what);
  await page.setViewportSize(VIEWPORTS[1]);
  await assertKeyboardReachable(page, what);
}

/** The debugger page, driven as a partner would: pick, type, sign and send; and the proof that no typed secret left the page. */
export interface DebuggerDriver extends Watched {
  open(): Promise<void>;
  /** Picks a front and an endpoint, types the credential and the fields, signs and sends; returns the reply's JSON. */
  call(front: string, endpoint: string, id: string, secret: string, fields?: Record<string, string>, extra?: string): Promise<any>;
  /** No request the page made carried any of `secrets` (but those `allowed` let through: the request's path → the secret it may carry). */
  assertNoSecretSent(secrets: readonly string[], allowed?: { path: string; secret: string }): void;
}

export async function debuggerDriver(t: TestContext, baseUrl: string): Promise<DebuggerDriver> {
  const browser = await launch(t);
  const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 800 } });
  const watched = await watchedPage(context);
  const { page, requests } = watched;
  return {
    ...watched,
    async open() {
      await page.goto(`${baseUrl}/debugger/`);
      await page.locator('select[name=front]').waitFor();
    },
    async call(front, endpoint, id, secret, fields = {}, extra = '') {
      await page.locator('select[name=front]').selectOption(front);
      await page.locator('select[name=endpoint]').selectOption(endpoint);
      await page.locator('input[name=credential-id]').fill(id);
      await page.locator('input[data-secret]').fill(secret);
      for (const [name, value] of Object.entries(fields)) {
        const control = page.locator(`form [name="${name}"]`).first();
        if ((await control.evaluate((el) => el.tagName)) === 'SELECT') await control.selectOption(value);
        else await control.fill(value);
      }
      await page.locator('textarea[name=extra]').fill(extra);
      const answered = page.waitForResponse((r) => r.request().method() !== 'GET' || !r.url().includes('/debugger/'));
      await page.getByRole('button', { name: 'Sign and send' }).click();
      await answered;
      const body = page.locator('[data-step=reply-body]');
      await body.waitFor();
      return JSON.parse((await body.textContent()) ?? 'null');
    },
    assertNoSecretSent(secrets, allowed) {
      assert.ok(requests.length > 3, `${requests.length} requests seen`);
      for (const r of requests) {
        const seen = `${decodeURIComponent(r.url)}\n${JSON.stringify(r.headers)}\n${r.body}\n${decodeURIComponent(r.body.replace(/\+/g, ' '))}`;
        for (const secret of secrets) {
          if (allowed && allowed.secret === secret && new URL(r.url).pathname === allowed.path) continue;
          assert.ok(!seen.includes(secret), `a typed secret went out in ${r.method} ${r.url}`);
        }
      }
      assert.deepEqual(
        requests.filter((r) => !r.url.startsWith(`${baseUrl}/`)),
        [],
        'requests off the server',
      );
    },
  };
}
