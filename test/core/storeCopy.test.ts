import { test } from 'node:test';
import assert from 'node:assert/strict';
import SQLite from 'better-sqlite3';
import { DURABLE_TABLES, NOT_COPIED } from '../../src/store/copy.ts';
import { makeBackend, needsPostgresAndRedis, type Backend } from '../helpers/backends.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { kaifang } from '../cli/run.ts';
import { signedParams, postForm, expectCode, type TestKey } from '../opretail/helpers.ts';
import { independentSign as storeposSign } from '../storepos/helpers.ts';
import { independentSign as jucaiSign, paymentCode, orderNo, SANDBOX_WECHATPAY_KEY } from '../jucai/helpers.ts';

/**
 * Growing out of one machine: the embedded SQLite store, filled through the admin API and real
 * calls of every front, copied to PostgreSQL by `kaifang store copy`, then served from the copy
 * with the old credentials.
 */

type Json = Record<string, any>;

/** Fills a store through the admin API and a signed call of each front; the credentials to call with again. */
async function fill(s: TestServer) {
  const ok = async (path: string, body?: unknown, method?: string) => {
    const r = await s.admin(path, { ...(body === undefined ? {} : { body }), ...(method ? { method } : {}) });
    assert.ok(r.status < 300, `${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as Json;
  };
  // 万店掌: a key, a method, a grant.
  const key = await ok('/opretail/keys', { username: 'acme', enterpriseId: 42 });
  await ok('/opretail/methods', { name: 'shop.order.list', version: 'v1', url: 'http://127.0.0.1:9/orders' });
  await ok(`/opretail/keys/${key.applicationKey}/grants/shop.order.list/v1`, undefined, 'PUT');
  // 超赢: an agent, a mini-program, a grant.
  const agent = await ok('/storepos/agents', { name: 'agent' });
  await ok('/wechat/miniapps', { appid: 'wx4da448cd29920000', secret: 'mini-secret-0123456789abcdef0123', name: 'mini' });
  await ok(`/storepos/agents/${agent.agentId}/grants/wx4da448cd29920000`, undefined, 'PUT');
  // 巨彩: ISV, merchant, app, WeChat Pay merchant and channel.
  const isv = await ok('/jucai/isvs', { name: 'isv' });
  const mch = await ok('/jucai/merchants', { isvNo: isv.isvNo, name: 'mch' });
  const app = await ok('/jucai/apps', { mchNo: mch.mchNo });
  await ok('/wechat/pay-merchants', { mchId: '1900000109', appid: 'wxd930ea5d5a258f4f', key: SANDBOX_WECHATPAY_KEY });
  await ok(`/jucai/merchants/${mch.mchNo}/channels/WECHAT`, { wechatPayMchId: '1900000109' }, 'PUT');
  // 微厅: the official account, an app, a user with a device.
  await ok('/wechat/official-accounts', { appid: 'wx1b0d10b65d395395', secret: 'oa-secret-0123456789abcdef012345', prizeTemplateId: 'tpl' });
  const wt = await ok('/weiting/apps', { name: 'partner' });

  const creds = {
    key: { akey: key.applicationKey as string, secret: key.applicationSecret as string },
    agent: { id: agent.agentId as string, key: agent.key as string },
    jucai: { mchNo: mch.mchNo as string, appId: app.appId as string, secret: app.secret as string },
    weiting: { appid: wt.appid as string, secret: wt.secret as string },
  };
  // One call of each front, so the call log and the fronts' own records have rows.
  const token = await callEvery(s.url, creds);
  return { ...creds, token };
}

/** A successful signed call of every front with `creds`; the 微厅 access token it got. */
async function callEvery(url: string, creds: { key: Pick<TestKey, 'akey' | 'secret'>; agent: { id: string; key: string }; jucai: { mchNo: string; appId: string; secret: string }; weiting: { appid: string; secret: string } }, token?: string) {
  expectCode(await postForm(url, signedParams(creds.key, Date.now())), 0, 'SUCCESS');

  const sms = { agent_id: creds.agent.id, pid: 'copy', version: '1.0', mobile: `138${String(Date.now() % 1e8).padStart(8, '0')}` };
  const r = (await (await fetch(`${url}/Mch/GetMchSMSValid`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ ...sms, sign: storeposSign(sms, creds.agent.key) }) })).json()) as Json;
  assert.equal(`${r.state} ${r.code}`, 'SUCCESS 20', JSON.stringify(r));

  const fields = { termId: '88888888', mchNo: creds.jucai.mchNo, appId: creds.jucai.appId, mchOrderNo: orderNo(), wayCode: 'WECHAT', authCode: paymentCode(), clientIp: '127.0.0.1' };
  const j = (await (await fetch(`${url}/pay/api/1.0/auth2OpenId`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...fields, sign: jucaiSign(fields, creds.jucai.secret) }) })).json()) as Json;
  assert.equal(j.data?.returnCode, '000000', JSON.stringify(j));

  const got = (await (await fetch(`${url}/service/1.0/access/token?appid=${creds.weiting.appid}&secret=${creds.weiting.secret}`)).json()) as Json;
  assert.equal(got.status, 200, JSON.stringify(got));
  for (const t of [got.data as string, ...(token ? [token] : [])]) {
    const bind = (await (await fetch(`${url}/service/weekBind/create?access_token=${t}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ openid: 'oCopyUser000001', deviceno: '17717463317' }) })).json()) as Json;
    assert.deepEqual(bind, { data: 'success', status: 200, info: 0 });
  }
  return got.data as string;
}

test('every table of the store is either copied or named as not copied', async (t) => {
  const backend = await makeBackend('sqlite');
  t.after(() => backend.cleanup());
  assert.equal((await kaifang(backend.env, ['migrate'])).code, 0);
  const db = new SQLite(`${backend.env.KAIFANG_DATA_DIR}/kaifang.sqlite`, { readonly: true });
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'kysely_%'").all() as { name: string }[]).map((r) => r.name).sort();
  db.close();
  assert.deepEqual(tables, [...DURABLE_TABLES, ...Object.keys(NOT_COPIED)].sort());
});

test('kaifang store copy: a SQLite store moves to PostgreSQL; a server on the copy takes every old credential', { skip: needsPostgresAndRedis }, async (t) => {
  const sqlite = await makeBackend('sqlite');
  t.after(() => sqlite.cleanup());
  const target: Backend = await makeBackend('postgres+redis');
  t.after(() => target.cleanup());

  const before = await startServer({ env: sqlite.env });
  const creds = await fill(before);
  await before.close();

  const copied = await kaifang(sqlite.env, ['store', 'copy', '--to', process.env.DATABASE_URL!, '--to-schema', target.env.KAIFANG_DB_SCHEMA!, '--json']);
  assert.equal(copied.code, 0, copied.stderr);
  const result = copied.json();
  const counts = Object.fromEntries((result.tables as { table: string; rows: number }[]).map((r) => [r.table, r.rows]));
  assert.deepEqual(Object.keys(counts), [...DURABLE_TABLES]);
  for (const table of ['opretail_developer_keys', 'opretail_grants', 'storepos_agents', 'storepos_grants', 'wechat_miniapps', 'jucai_apps', 'jucai_channels', 'wechat_pay_merchants', 'wechat_official_accounts', 'weiting_apps', 'weiting_users', 'weiting_bindings', 'bearer_tokens', 'idempotency_records', 'call_log', 'platform_meta']) {
    assert.ok((counts[table] ?? 0) > 0, `${table} was copied: ${counts[table]}`);
  }
  assert.deepEqual(result.notCopied.map((n: Json) => n.table), ['kv_state', 'once_log']);
  assert.match(result.notCopied[0].what, /replay records.*rate-limit windows.*SMS codes/);
  assert.match(result.next, /KAIFANG_DB_SCHEMA=.*KAIFANG_MASTER_KEY/);
  assert.ok(!copied.stdout.includes(creds.key.secret), 'no secret printed');

  // A second copy into the same place is refused: nothing is mixed.
  const again = await kaifang(sqlite.env, ['store', 'copy', '--to', process.env.DATABASE_URL!, '--to-schema', target.env.KAIFANG_DB_SCHEMA!]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /the target already holds data \(platform_meta: \d+ rows\)/);

  // The copy serves: every old credential, the 微厅 token issued before the move, sealed secrets opened with the same key.
  const after = await startServer({ env: target.env });
  t.after(() => after.close());
  await callEvery(after.url, creds, creds.token);
  const calls = (await after.admin('/calls?limit=1000')).body.calls as Json[];
  assert.ok(calls.length >= 8, 'the call log came along and grows');
  // New rows take new ids after the copied ones.
  const next = await after.admin('/opretail/keys', { body: { username: 'after', enterpriseId: 7 } });
  assert.equal(next.status, 201, JSON.stringify(next.body));
  assert.equal((await after.admin('/opretail/keys')).body.total, 2);
  assert.equal((await after.admin(`/weiting/users/oCopyUser000001`)).body.accounts.length, 1);
});

test('kaifang store copy refuses a PostgreSQL source and a non-PostgreSQL target, naming them', async (t) => {
  const sqlite = await makeBackend('sqlite');
  t.after(() => sqlite.cleanup());
  assert.equal((await kaifang(sqlite.env, ['migrate'])).code, 0);
  const notPg = await kaifang(sqlite.env, ['store', 'copy', '--to', 'mysql://x/y']);
  assert.equal(notPg.code, 1);
  assert.match(notPg.stderr, /--to must be a postgres:\/\/ URL/);
  const fromPg = await kaifang({ ...sqlite.env, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/x' }, ['store', 'copy', '--to', 'postgres://postgres@127.0.0.1:1/y']);
  assert.equal(fromPg.code, 1);
  assert.match(fromPg.stderr, /the source of a copy is the embedded SQLite store/);
});
