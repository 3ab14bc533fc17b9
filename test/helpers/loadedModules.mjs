// `node --import ./test/helpers/loadedModules.mjs …` appends, to the file LOADED_MODULES names,
// every module the process loads: ES modules as the loader hook sees them, CommonJS ones from the
// require cache at exit. Tests read it to hold which parts of kaifang a command loads.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const out = process.env.LOADED_MODULES;
if (out) {
  register(new URL('./loadedModulesHooks.mjs', import.meta.url));
  const cache = createRequire(import.meta.url).cache;
  process.on('exit', () => appendFileSync(out, Object.keys(cache).join('\n') + '\n'));
}
