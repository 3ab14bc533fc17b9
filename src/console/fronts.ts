/**
 * The fronts' debugger modules (src/fronts/<name>/debugger.ts), for the browser bundle. Written by
 * bin/console-build.js from the fronts that have one; do not edit.
 */
import type { FrontDebugger } from '../fronts/kit/debugger.ts';
import { debuggerOf as jucai } from '../fronts/jucai/debugger.ts';
import { debuggerOf as opretail } from '../fronts/opretail/debugger.ts';
import { debuggerOf as storepos } from '../fronts/storepos/debugger.ts';
import { debuggerOf as weiting } from '../fronts/weiting/debugger.ts';

export const debuggers: readonly FrontDebugger[] = [jucai, opretail, storepos, weiting];
