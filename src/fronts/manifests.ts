/**
 * The installed fronts' manifests (kit/front.ts, `FrontManifest`), in the order of fronts/index.ts:
 * the light part of each front that the settings, the store and the CLI need. Written by
 * bin/client-index.js from fronts/index.ts; do not edit.
 */
import { manifest as jucai } from './jucai/manifest.ts';
import { manifest as opretail } from './opretail/manifest.ts';
import { manifest as storepos } from './storepos/manifest.ts';
import { manifest as wechat } from './wechat/manifest.ts';
import { manifest as weiting } from './weiting/manifest.ts';

export const manifests = [jucai, opretail, storepos, wechat, weiting] as const;

/** Any one of the installed fronts' manifests, with its exact name, services and settings. */
export type InstalledManifest = (typeof manifests)[number];
