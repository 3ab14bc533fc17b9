import type { Migration } from 'kysely';
import * as core from './001_core.ts';
import * as sandboxOutbox from './003_sandbox_outbox.ts';
import * as onceLog from './005_once_log.ts';
import * as corePieces from './006_core_pieces.ts';
import * as platformTables from './009_platform_tables.ts';
import * as adminTokensAudit from './011_admin_tokens_audit.ts';
import * as callLogResult from './012_call_log_result.ts';

/**
 * The platform's own migrations. Each front brings its own (`store.migrations` in its descriptor);
 * `mergeMigrations` makes the one set Kysely runs, in the order of their names. Add a file per
 * change, named with the next free number across the platform and every front; never edit or
 * rename one that has shipped.
 */
export const platformMigrations: Readonly<Record<string, Migration>> = {
  '001_core': core,
  '003_sandbox_outbox': sandboxOutbox,
  '005_once_log': onceLog,
  '006_core_pieces': corePieces,
  '009_platform_tables': platformTables,
  '011_admin_tokens_audit': adminTokensAudit,
  '012_call_log_result': callLogResult,
};

/** One migration set from the platform's and the fronts' own; a name given twice is a mistake. */
export function mergeMigrations(...sets: readonly Readonly<Record<string, Migration>>[]): Record<string, Migration> {
  const all: Record<string, Migration> = {};
  for (const set of sets) {
    for (const [name, migration] of Object.entries(set)) {
      if (name in all) throw new Error(`two migrations are named ${name}`);
      all[name] = migration;
    }
  }
  return all;
}
