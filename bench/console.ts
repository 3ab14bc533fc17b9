import { gzipSync } from 'node:zlib';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { opretail } from '../src/fronts/opretail/signing.ts';
import { storepos } from '../src/fronts/storepos/signing.ts';
import { demoText } from '../src/cli/serve.ts';
import { startServer } from '../test/helpers/server.ts';

/**
 * The console's and the debugger's figures for the README (`npx tsx bench/console.ts [--shots]`):
 * the JavaScript and CSS each page loads, raw and gzipped, from the build in dist/console/; the
 * first contentful paint of each page in headless Chromium on this machine (a fresh browser
 * context per run, so nothing is cached; the median of 7 runs); and, with --shots, the README's
 * two screenshots (docs/console.png, docs/debugger.png). Needs `npm run build` first.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist/console');

type Output = { entryPoint?: string; imports: { path: string; kind: string }[]; cssBundle?: string };
const meta = JSON.parse(readFileSync(join(dist, 'meta.json'), 'utf8')) as Record<string, Output>;

/** The files a page loads: its entry, the chunks it imports statically, its CSS; and what it loads later (dynamic imports). */
function filesOf(entry: string): { first: string[]; later: string[] } {
  const [file, out] = Object.entries(meta).find(([, m]) => m.entryPoint === `src/console/${entry}.ts`)!;
  const first = new Set([file, ...(out.cssBundle ? [out.cssBundle] : [])]);
  const later = new Set<string>();
  const walk = (f: string, into: Set<string>) => {
    for (const i of meta[f]?.imports ?? []) {
      if (i.kind === 'import-statement' && !into.has(i.path)) {
        into.add(i.path);
        walk(i.path, into);
      } else if (i.kind === 'dynamic-import') {
        later.add(i.path);
        walk(i.path, later);
      }
    }
  };
  walk(file, first);
  return { first: [...first], later: [...later].filter((f) => !first.has(f)) };
}

const size = (files: string[], ext: string) =>
  files
    .filter((f) => f.endsWith(ext))
    .reduce(
      (acc, f) => {
        const body = readFileSync(join(root, f));
        return { raw: acc.raw + statSync(join(root, f)).size, gzip: acc.gzip + gzipSync(body, { level: 9 }).length };
      },
      { raw: 0, gzip: 0 },
    );
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

const allJs = [...new Set(['console', 'debugger'].flatMap((p) => [...filesOf(p).first, ...filesOf(p).later]))];
for (const page of ['console', 'debugger']) {
  const { first, later } = filesOf(page);
  const js = size(first, '.js');
  const css = size(first, '.css');
  const lazy = size(later, '.js');
  console.log(
    `${page}: JS ${kb(js.raw)} (${kb(js.gzip)} gzipped), CSS ${kb(css.raw)} (${kb(css.gzip)}); later (chart): JS ${kb(lazy.raw)} (${kb(lazy.gzip)})`,
  );
}
const both = size(allJs, '.js');
console.log(`both pages, every script: ${kb(both.raw)} (${kb(both.gzip)} gzipped)`);

const s = await startServer();
await demoText(s.k, s.url);
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
try {
  const paint = async (path: string) => {
    const times: number[] = [];
    const ready: number[] = [];
    for (let i = 0; i < 7; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await page.goto(`${s.url}${path}`);
      await page.waitForSelector('main#app:not([aria-busy])');
      const fcp = await page.evaluate(
        () =>
          new Promise<number>((resolve) => {
            const entry = performance.getEntriesByName('first-contentful-paint')[0];
            if (entry) resolve(entry.startTime);
            else new PerformanceObserver((list) => resolve(list.getEntries()[0]!.startTime)).observe({ type: 'paint', buffered: true });
          }),
      );
      times.push(fcp);
      ready.push(await page.evaluate(() => performance.getEntriesByName('kaifang:ready')[0]?.startTime ?? Number.NaN));
      await context.close();
    }
    const line = (xs: number[]) => {
      xs.sort((a, b) => a - b);
      return `median ${xs[3]!.toFixed(0)} ms (min ${xs[0]!.toFixed(0)}, max ${xs[6]!.toFixed(0)})`;
    };
    return `first paint ${line(times)}; form drawn and usable ${line(ready)}`;
  };
  console.log(`/console/ (the sign-in form): ${await paint('/console/')}`);
  console.log(`/debugger/: ${await paint('/debugger/')}`);

  if (process.argv.includes('--shots')) {
    mkdirSync(join(root, 'docs'), { recursive: true });
    // A few calls, so the log and the chart have something to show.
    const key = (await s.admin('/opretail/keys', { body: { username: 'acme', enterpriseId: 42 } })).body;
    const cst = new Date(Date.now() + 8 * 3600_000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
    for (let i = 0; i < 12; i++) {
      const p: Record<string, string> = {
        _aid: 'S107',
        _akey: key.applicationKey,
        _mt: 'open.gateway.authentication',
        _sm: 'md5',
        _requestMode: 'post',
        _version: 'v1',
        _timestamp: cst,
        orgid: i % 4 === 0 ? '7' : '42',
        n: String(i),
      };
      p._sig = opretail.sign(p, i % 5 === 0 ? 'wrong' : key.applicationSecret, 'md5');
      await fetch(`${s.url}/m.api`, { method: 'POST', body: new URLSearchParams(p) });
    }
    const agent = (await s.admin('/storepos/agents', { body: { name: 'Acme agent' } })).body;
    const sms: Record<string, string> = { agent_id: agent.agentId, pid: 'storepos', version: '1.0', mobile: '13800138000' };
    sms.sign = storepos.sign(sms, agent.key);
    await fetch(`${s.url}/Mch/GetMchSMSValid`, { method: 'POST', body: new URLSearchParams(sms) });

    const context = await browser.newContext({ viewport: { width: 1100, height: 760 }, locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(`${s.url}/console/`);
    await page.fill('input[name=token]', s.adminToken);
    await page.keyboard.press('Enter');
    await page.waitForSelector('nav.side');
    await page.goto(`${s.url}/console/#/calls`);
    await page.waitForSelector('.chart canvas');
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(root, 'docs/console.png') });

    const d = await context.newPage();
    await d.goto(`${s.url}/debugger/`);
    await d.selectOption('select[name=front]', 'opretail');
    await d.fill('input[name=credential-id]', key.applicationKey);
    await d.fill('input[data-secret]', key.applicationSecret);
    await d.fill('textarea[name=extra]', 'orgid=42');
    await d.click('button[name=send]');
    await d.waitForSelector('[data-step=reply-body]');
    await d.evaluate(() => document.querySelector('[data-step=string-to-sign]')?.closest('section')?.scrollIntoView());
    await d.screenshot({ path: join(root, 'docs/debugger.png') });
    console.log('screenshots: docs/console.png, docs/debugger.png (run pngquant on them to make them small)');
  }
} finally {
  await browser.close();
  await s.close();
}
