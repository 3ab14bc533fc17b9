import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { startServer } from '../../../../test/helpers/server.ts';
import { independentSign, orderNo } from './helpers.ts';

/**
 * 010_jucai_channel_keys on a store made by kaifang 0.1.0 (the platform's upgrade fixture: serve
 * --demo, whose UNIONPAY channel's bridge secret was sealed beside the credential base): each
 * channel gets its key, and the old sealed secret opens through the base — a UNIONPAY call is
 * signed with it, and the sandbox bridge, which checks it, answers.
 */
const FIXTURES = new URL('../../../../test/upgrade/fixtures/', import.meta.url);

test("jucai 010: a 0.1.0 store's channels get their keys, and the old sealed bridge secret signs a call", {
  timeout: 60_000,
}, async (t) => {
  const facts = JSON.parse(readFileSync(new URL('store-0.1.0.json', FIXTURES), 'utf8')) as { masterKey: string };
  const dataDir = mkdtempSync(join(tmpdir(), 'kaifang-jucai-010-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const db = new SQLite(join(dataDir, 'kaifang.sqlite'));
  db.exec(readFileSync(new URL('store-0.1.0.sqlite.sql', FIXTURES), 'utf8'));
  db.close();
  const s = await startServer({ env: { KAIFANG_DATA_DIR: dataDir, KAIFANG_MASTER_KEY: facts.masterKey } });
  t.after(() => s.close());

  const keys = await s.k.core.db.selectFrom('jucai_channels').select(['way_code', 'channel_key']).orderBy('way_code').execute();
  assert.deepEqual(keys, [
    { way_code: 'UNIONPAY', channel_key: '1:UNIONPAY' },
    { way_code: 'WECHAT', channel_key: '1:WECHAT' },
  ]);
  // The demo app's secret was made up at random by 0.1.0: give it one the test knows.
  const rotated = await s.admin('/jucai/apps/MCH_A698612520/rotate-secret', { method: 'POST', body: {} });
  assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
  const fields = {
    termId: '88888888',
    mchNo: 'MCH_I293975931',
    appId: 'MCH_A698612520',
    mchOrderNo: orderNo(),
    wayCode: 'UNIONPAY',
    authCode: 'sandbox-dora-1',
    clientIp: '127.0.0.1',
  };
  const res = await fetch(`${s.url}/pay/api/1.0/auth2OpenId`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...fields, sign: independentSign(fields, rotated.body.secret as string) }),
  });
  const reply = (await res.json()) as { code: number; data: { returnCode: string; openid: string } | null };
  assert.equal(reply.data?.returnCode, '000000', JSON.stringify(reply));
  assert.match(reply.data!.openid, /^U[0-9a-f]{27}$/);
});
