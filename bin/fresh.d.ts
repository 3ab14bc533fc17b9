/** True when `root`/dist/cli/main.js exists and nothing under `root`/src is newer (or there is no src). */
export function compiledIsFresh(root: string): boolean;
