import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { migrateToLatest, openStore, StoreNewerThanBuild } from '../../src/store/database.ts';
import { migrations } from '../../src/server/storeLayout.ts';
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
        assert.deepEqual(await migrateToLatest(store.db, migrations, backend.env.KAIFANG_DB_SCHEMA), []);
      } finally {
        await store.close();
      }
    }
  });
}

test("a store that ran migrations this build lacks: a removed front's are kept as they are, a newer build's stop start-up naming both", async (t) => {
  const backend = await makeBackend('sqlite');
  t.after(() => backend.cleanup());
  const store = await openStore({ dataDir: backend.env.KAIFANG_DATA_DIR! });
  t.after(() => store.close());
  await migrateToLatest(store.db, migrations);
  const last = Object.keys(migrations).sort().at(-1)!;
  // Kysely reads what ran in the order it ran (timestamp, then name): a removed front's migration
  // ran among the others, so it is recorded with the time of the one before it.
  const record = (name: string, after: string) =>
    sql`INSERT INTO kysely_migration (name, timestamp) SELECT ${name}, timestamp FROM kysely_migration WHERE name = ${after}`.execute(
      store.db,
    );

  // A front this build was made without ran a migration among the others: its tables stay, start-up goes on.
  const second = Object.keys(migrations).sort()[1]!;
  await record(`${second}_removed_front`, second);
  assert.deepEqual(await migrateToLatest(store.db, migrations), []);

  // A newer build ran a migration after this build's last one.
  await record(`${last}_newer`, last);
  await assert.rejects(migrateToLatest(store.db, migrations), (err: Error) => {
    assert.ok(err instanceof StoreNewerThanBuild, String(err));
    assert.match(
      err.message,
      new RegExp(
        `this store is newer than this build: kaifang \\S+ brought it up to date \\(it has migration ${last}_newer\\), and this build, kaifang \\S+, knows migrations up to ${last}\\.`,
      ),
    );
    return true;
  });
});
