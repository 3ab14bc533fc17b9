#!/usr/bin/env node
// `npm run build`'s browser step: bundles the console (src/console/console.ts) and the debugger
// (src/console/debugger.ts) with esbuild into dist/console/ — minified ES modules with hashed
// names, their CSS, and one HTML page each that loads them — so the server serves files made at
// build time: no CDN, nothing fetched at run time, nothing served from node_modules.
// First it writes src/console/fronts.ts, the list of the fronts' debugger modules
// (src/fronts/<name>/debugger.ts), as bin/client-index.js writes the client entry: a front gets its
// debugger by having that file. In the browser bundle src/kernel/digest.ts (node:crypto) is
// replaced by src/console/digest.ts (hash-wasm): the signing modules themselves are shared as they are.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

export function writeFrontsEntry() {
  const fronts = readdirSync(join(root, 'src/fronts'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== 'kit' && existsSync(join(root, 'src/fronts', entry.name, 'debugger.ts')))
    .map((entry) => entry.name)
    .sort();
  const text = `/**
 * The fronts' debugger modules (src/fronts/<name>/debugger.ts), for the browser bundle. Written by
 * bin/console-build.js from the fronts that have one; do not edit.
 */
import type { FrontDebugger } from '../fronts/kit/debugger.ts';
${fronts.map((name) => `import { debuggerOf as ${name} } from '../fronts/${name}/debugger.ts';`).join('\n')}

export const debuggers: readonly FrontDebugger[] = [${fronts.join(', ')}];
`;
  const path = join(root, 'src/console/fronts.ts');
  if (!existsSync(path) || readFileSync(path, 'utf8') !== text) writeFileSync(path, text);
}

const digestInBrowser = {
  name: 'digest-in-browser',
  setup(b) {
    b.onResolve({ filter: /\/digest\.ts$/ }, (args) =>
      args.importer.includes(`${join('src', 'kernel')}`) ? { path: join(root, 'src/console/digest.ts') } : undefined,
    );
    b.onResolve({ filter: /^node:/ }, (args) => ({ errors: [{ text: `${args.path} in the browser bundle (from ${args.importer})` }] }));
  },
};

const page = (title, scripts, styles, preloads) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${title}</title>
${styles.map((href) => `<link rel="stylesheet" href="${href}">`).join('\n')}
${preloads.map((href) => `<link rel="modulepreload" href="${href}">`).join('\n')}
${scripts.map((src) => `<script type="module" src="${src}"></script>`).join('\n')}
</head>
<body>
<header class="top"><h1>${title}</h1></header>
<noscript>The ${title} needs JavaScript modules (current Chromium, Firefox, Safari).</noscript>
<main id="app" aria-busy="true"></main>
</body>
</html>
`;

export async function buildConsole() {
  writeFrontsEntry();
  const out = join(root, 'dist/console');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: { console: 'src/console/console.ts', debugger: 'src/console/debugger.ts' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome120', 'firefox121', 'safari17'],
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    assetNames: '[name]-[hash]',
    outdir: join(out, 'assets'),
    metafile: true,
    plugins: [digestInBrowser],
    logLevel: 'warning',
  });
  const outputs = Object.entries(result.metafile.outputs);
  for (const name of ['console', 'debugger']) {
    const [js, meta] = outputs.find(([file, m]) => m.entryPoint === `src/console/${name}.ts` && file.endsWith('.js'));
    const css = meta.cssBundle ? [`assets/${basename(meta.cssBundle)}`] : [];
    // The chunks the entry imports at once are asked for with it, not after it.
    const preloads = meta.imports.filter((i) => i.kind === 'import-statement').map((i) => `assets/${basename(i.path)}`);
    const title = name === 'console' ? 'kaifang console' : 'kaifang debugger';
    writeFileSync(join(out, `${name}.html`), page(title, [`assets/${basename(js)}`], css, preloads));
  }
  writeFileSync(join(out, 'meta.json'), JSON.stringify(result.metafile.outputs, null, 1));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  // --entry-only (the type check): just the generated list of the fronts' debuggers.
  if (process.argv.includes('--entry-only')) writeFrontsEntry();
  else await buildConsole();
}
