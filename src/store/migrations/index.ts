import type { Migration } from 'kysely';
import * as core from './001_core.ts';
import * as opretail from './002_opretail.ts';
import * as sandboxOutbox from './003_sandbox_outbox.ts';
import * as storepos from './004_storepos.ts';
import * as onceLog from './005_once_log.ts';
import * as corePieces from './006_core_pieces.ts';
import * as jucai from './007_jucai.ts';
import * as weiting from './008_weiting.ts';

/** The one migration set, in order. Add a file per change; never edit one that has shipped. */
export const migrations: Record<string, Migration> = {
  '001_core': core,
  '002_opretail': opretail,
  '003_sandbox_outbox': sandboxOutbox,
  '004_storepos': storepos,
  '005_once_log': onceLog,
  '006_core_pieces': corePieces,
  '007_jucai': jucai,
  '008_weiting': weiting,
};
