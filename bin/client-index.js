#!/usr/bin/env node
// Writes src/client/index.ts, the `kaifang/client` entry, from the fronts that have a client
// (src/fronts/<name>/client.ts). The build and the type check run it first, so the entry lists
// exactly the fronts there are: adding or removing a front's folder needs no edit here. The entry
// cannot import src/fronts/index.ts instead, since that loads every front's server.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const fronts = readdirSync(`${root}src/fronts`, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(`${root}src/fronts/${entry.name}/client.ts`))
  .map((entry) => entry.name)
  .sort();
const text = `/**
 * \`kaifang/client\`: the typed clients of kaifang's fronts, usable against kaifang or the original
 * hosts, shipped without the server (each imports only the kernel, src/client's helpers and its
 * own front's signing and wire types). Written by bin/client-index.js from the fronts that have a
 * client.ts; do not edit.
 */
${fronts.map((name) => `export * from '../fronts/${name}/client.ts';`).join('\n')}
`;
const path = `${root}src/client/index.ts`;
if (!existsSync(path) || readFileSync(path, 'utf8') !== text) writeFileSync(path, text);

// And src/fronts/manifests.ts, the installed fronts' manifests (src/fronts/<name>/manifest.ts) in
// the order of src/fronts/index.ts: the settings, the store's migrations and the CLI read these,
// so that an operator command loads no front's server (nor other fronts than its own).
const installed = [...readFileSync(`${root}src/fronts/index.ts`, 'utf8').matchAll(/^export \{ \w+ \} from '\.\/([\w-]+)\/index\.ts';$/gm)]
  .map((m) => m[1])
  .filter((name) => existsSync(`${root}src/fronts/${name}/manifest.ts`));
const manifests = `/**
 * The installed fronts' manifests (kit/front.ts, \`FrontManifest\`), in the order of fronts/index.ts:
 * the light part of each front that the settings, the store and the CLI need. Written by
 * bin/client-index.js from fronts/index.ts; do not edit.
 */
${installed.map((name) => `import { manifest as ${name.replace(/-/g, '_')} } from './${name}/manifest.ts';`).join('\n')}

export const manifests = [${installed.map((name) => name.replace(/-/g, '_')).join(', ')}] as const;

/** Any one of the installed fronts' manifests, with its exact name, services and settings. */
export type InstalledManifest = (typeof manifests)[number];
`;
const manifestsPath = `${root}src/fronts/manifests.ts`;
if (!existsSync(manifestsPath) || readFileSync(manifestsPath, 'utf8') !== manifests) writeFileSync(manifestsPath, manifests);
