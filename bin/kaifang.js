#!/usr/bin/env node
// The published entry point: run the TypeScript CLI through tsx, which is a runtime dependency.
import { register } from 'tsx/esm/api';
register();
await import('../src/cli/main.ts');
