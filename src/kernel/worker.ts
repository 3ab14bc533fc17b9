import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts the module at `url` in a worker thread. Built, it is a `.js` file and starts as it is.
 * From the TypeScript source (the tests, `npm run kaifang`), the worker registers tsx before it
 * imports the module: a worker does not inherit its parent's module loader (Node 20).
 */
export function startWorker(url: URL, options: WorkerOptions = {}): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, options);
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const boot = `import(${tsx}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(boot, { ...options, eval: true });
}
