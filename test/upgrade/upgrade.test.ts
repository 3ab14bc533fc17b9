import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { startServer, type TestServer } from '../helpers/server.ts';
import { hasPostgresAndRedis, needsPostgresAndRedis } from '../helpers/backends.ts';
import { fronts } from '../../src/fronts/all.ts';
import { migrations } from '../../src/server/storeLayout.ts';

/** The checks below name fronts; a build made without one of them skips its check (its tables stay in the store). */
const installed = new Set<string>(fronts.map((front) => front.name));

/**
 * Stores made by kaifang 0.1.0 (main before fronts became vertical slices; see fixtures/*.json for
 * how they were made) open with this build and no step: the migrations the old build applied are
 * all found, the new ones are applied, and the old credentials still sign. The dumps are plain SQL
 * (sqlite3 .dump, pg_dump --inserts) so a reader can see what was stored.
 */

const FIXTURES = new URL('./fixtures/', import.meta.url);
const facts = JSON.parse(readFileSync(new URL('store-0.1.0.json', FIXTURES), 'utf8')) as {
  masterKey: string;
  sqlite: { opretailSecret: string; weitingSecret: string };
  postgres: { schema: string; opretailSecret: string; weitingSecret: string };
};
const OLD_MIGRATIONS = [
  '001_core',
  '002_opretail',
  '003_sandbox_outbox',
  '004_storepos',
  '005_once_log',
  '006_core_pieces',
  '007_jucai',
  '008_weiting',
];
/** The store after the upgrade: the old build's migrations kept, and every one this build has beyond them applied. */
const UPGRADED = [...new Set([...OLD_MIGRATIONS, ...Object.keys(migrations)])].sort();

/** `yyyyMMddHHmmss` in UTC+8, and the 万店掌 signature, from the seed's text (not kaifang's code). */
const cst = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
function opretailBody(secret: string): string {
  const p: Record<string, string> = {
    _aid: 'S107',
    _akey: 'S107-demo',
    _mt: 'open.gateway.authentication',
    _sm: 'md5',
    _requestMode: 'post',
    _version: 'v2',
    _timestamp: cst(Date.now()),
    orgid: '1',
    nonce: randomBytes(6).toString('hex'),
  };
  const text =
    secret +
    Object.keys(p)
      .sort()
      .map((n) => n + p[n])
      .join('') +
    secret;
  p._sig = createHash('md5').update(text, 'utf8').digest('hex').toUpperCase();
  return new URLSearchParams(p).toString();
}

async function oldCredentialsWork(s: TestServer, secrets: { opretailSecret: string; weitingSecret: string }): Promise<void> {
  if (installed.has('opretail')) {
    const gateway = await fetch(`${s.url}/m.api`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: opretailBody(secrets.opretailSecret),
    });
    const reply = (await gateway.json()) as { stat: { codename: string }; data: { applicationKey: string } };
    assert.equal(reply.stat.codename, 'SUCCESS', JSON.stringify(reply));
    assert.equal(reply.data.applicationKey, 'S107-demo');
  }
  if (installed.has('weiting')) {
    const token = await fetch(`${s.url}/service/1.0/access/token?appid=wtdemo0000000001&secret=${secrets.weitingSecret}`);
    const tokenReply = (await token.json()) as { status: number; data: string };
    assert.equal(tokenReply.status, 200, JSON.stringify(tokenReply));
    const user = await fetch(`${s.url}/service/1.0/user/info?access_token=${tokenReply.data}&openid=oKXUCj1Fp4fNnb99liSkslcM_D-X`);
    assert.equal(((await user.json()) as { result: { nickname: string } }).result.nickname, 'demo user');
  }
  // What the old build stored for the other fronts reads back through the admin API.
  if (installed.has('jucai')) {
    const merchant = await s.admin('/jucai/merchants/MCH_I293975931');
    assert.equal(merchant.status, 200, JSON.stringify(merchant.body));
  }
  if (installed.has('storepos')) {
    const agent = await s.admin('/storepos/agents/13000000000000000');
    assert.equal(agent.status, 200, JSON.stringify(agent.body));
  }
  const wechat = await s.admin('/wechat/pay-merchants');
  assert.equal(wechat.status, 200, JSON.stringify(wechat.body));
}

async function appliedMigrations(s: TestServer): Promise<string[]> {
  const rows = await s.k.store.db
    .selectFrom('kysely_migration' as never)
    .select('name' as never)
    .orderBy('name' as never)
    .execute();
  return rows.map((r) => (r as { name: string }).name);
}

test('a SQLite store made by kaifang 0.1.0 opens with this build, no step: old migrations kept, old credentials work', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kaifang-upgrade-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const db = new SQLite(join(dataDir, 'kaifang.sqlite'));
  db.exec(readFileSync(new URL('store-0.1.0.sqlite.sql', FIXTURES), 'utf8'));
  db.close();

  const s = await startServer({ env: { KAIFANG_DATA_DIR: dataDir, KAIFANG_MASTER_KEY: facts.masterKey } });
  t.after(() => s.close());
  const applied = await appliedMigrations(s);
  assert.deepEqual(applied, UPGRADED);
  await oldCredentialsWork(s, facts.sqlite);
});

test('a PostgreSQL store made by kaifang 0.1.0 opens with this build, no step', { skip: needsPostgresAndRedis }, async (t) => {
  if (!hasPostgresAndRedis) return;
  const schema = `up_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  t.after(async () => {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });
  const dump = readFileSync(new URL('store-0.1.0.postgres.sql', FIXTURES), 'utf8')
    .replaceAll(`${facts.postgres.schema}.`, `${schema}.`)
    .replace(`CREATE SCHEMA ${facts.postgres.schema};`, `CREATE SCHEMA ${schema};`);
  await client.query(dump);

  const s = await startServer({ backend: 'postgres+redis', env: { KAIFANG_DB_SCHEMA: schema, KAIFANG_MASTER_KEY: facts.masterKey } });
  t.after(() => s.close());
  const applied = await appliedMigrations(s);
  assert.deepEqual(applied, UPGRADED);
  await oldCredentialsWork(s, facts.postgres);
});
