// The loader hook of loadedModules.mjs: notes each module's URL as it is loaded.
import { appendFileSync } from 'node:fs';

export async function load(url, context, next) {
  if (process.env.LOADED_MODULES) appendFileSync(process.env.LOADED_MODULES, `${url}\n`);
  return next(url, context);
}
