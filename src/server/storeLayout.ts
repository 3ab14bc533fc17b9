import type { Database } from '../store/schema.ts';
import { PLATFORM_TABLES } from '../store/copy.ts';
import { mergeMigrations, platformMigrations } from '../store/migrations/index.ts';
// The fronts' manifests (their tables and migrations), not their descriptors: an operator command
// checking the store's schema loads no front's server.
import { manifests as fronts } from '../fronts/manifests.ts';

/** The store as the platform and its fronts make it: one migration set, ordered by name. */
export const migrations = mergeMigrations(
  platformMigrations,
  ...fronts.map((front) => ('store' in front && front.store ? front.store.migrations : {})),
);

/** Every durable table, the platform's first (the fronts' refer to them), each front's in its order. */
export const durableTables: readonly (keyof Database)[] = [
  ...PLATFORM_TABLES,
  ...fronts.flatMap((front) => ('store' in front && front.store ? front.store.tables : [])),
];

/** The newest migration this build knows: the schema version it brings. */
export const NEWEST_MIGRATION: string = Object.keys(migrations).sort().at(-1) ?? '';
