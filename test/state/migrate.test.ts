import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { migrateToLatest, openStore } from '../../src/store/database.ts';
import { migrations } from '../../src/store/migrations/index.ts';
import { runTogether } from '../helpers/children.ts';
import { backendNames, makeBackend } from '../helpers/backends.ts';

const CHILD = fileURLToPath(new URL('./fixtures/migrate-child.ts', import.meta.url));
const ALL = Object.keys(migrations);

for (const name of backendNames()) {
  test(`3 processes migrating one fresh ${name === 'sqlite' ? 'SQLite file' : 'PostgreSQL schema'} at once: all succeed, each migration applied once`, async (t) => {
    // Before the fix, on SQLite one or two of the three failed with "table … already exists" in
    // every one of 8 rounds: Kysely's migration lock does nothing on SQLite.
    for (let round = 0; round < 2; round++) {
      const backend = await makeBackend(name);
      t.after(() => backend.cleanup());
      const results = await runTogether<{ applied?: string[]; error?: string }>(CHILD, 3, {
        env: { DATABASE_URL: '', KAIFANG_DB_SCHEMA: '', ...backend.env },
      });
      for (const r of results) assert.equal(r.error, undefined, `round ${round}: ${r.error}`);
      assert.deepEqual(results.flatMap((r) => r.applied ?? []).sort(), [...ALL].sort());
      // and a later start finds nothing left to do
      const store = await openStore({
        dataDir: backend.env.KAIFANG_DATA_DIR!,
        databaseUrl: backend.env.DATABASE_URL,
        databaseSchema: backend.env.KAIFANG_DB_SCHEMA,
      });
      try {
        assert.deepEqual(await migrateToLatest(store.db, backend.env.KAIFANG_DB_SCHEMA), []);
      } finally {
        await store.close();
      }
    }
  });
}
