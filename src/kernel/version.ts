import { createRequire } from 'node:module';

/**
 * This build's version: package.json's, read beside the code (`src/` and the compiled `dist/` are
 * both one level under the package root).
 */
export const KAIFANG_VERSION: string = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
