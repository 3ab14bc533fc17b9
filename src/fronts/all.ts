import * as installed from './index.ts';

/** Any one of the installed fronts' descriptors, each with its exact name, services and settings. */
export type InstalledFront = (typeof installed)[keyof typeof installed];

/** The installed fronts (fronts/index.ts), in the order of their export names. */
export const fronts: readonly InstalledFront[] = Object.values(installed);
