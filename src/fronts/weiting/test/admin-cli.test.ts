import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backendNames } from '../../../../test/helpers/backends.ts';
import { kaifang } from '../../../../test/cli/run.ts';
import { weitingFixture, type Json } from './helpers.ts';

/** Operating the 微厅 front: apps, the users import, tickets, notices and orders through the admin API and the CLI. */

/** POSTs an import body with its content type; the admin API's answer. */
async function importUsers(
  url: string,
  token: string,
  body: string | Uint8Array<ArrayBuffer>,
  contentType: string,
): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${url}/admin/api/weiting/users/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
    body,
  });
  return { status: res.status, body: (await res.json()) as Json };
}

for (const backend of backendNames()) {
  test(`weiting admin API: apps made and imported as they are, hosts checked, secrets shown once, rotation (${backend})`, async (t) => {
    const f = await weitingFixture(backend);
    t.after(() => f.close());
    const s = f.s;
    const made = await s.admin('/weiting/apps', {
      body: { name: 'made', allowedHosts: ['Partner.Example.com', '*.example.net', '127.0.0.1:8080'], dailyTokenLimit: 100 },
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    assert.deepEqual(Object.keys(made.body), [
      'appid',
      'name',
      'status',
      'allowedHosts',
      'dailyTokenLimit',
      'secret',
      'createdAt',
      'updatedAt',
    ]);
    assert.match(made.body.appid, /^wt[0-9a-f]{16}$/);
    assert.match(made.body.secret, /^[A-Za-z0-9]{32}$/);
    assert.deepEqual(made.body.allowedHosts, ['partner.example.com', '*.example.net', '127.0.0.1:8080']);
    assert.equal((await s.admin(`/weiting/apps/${made.body.appid}`)).body.secret, undefined, 'shown only when made');
    assert.ok(!JSON.stringify((await s.admin('/weiting/apps')).body).includes(made.body.secret));

    // An existing app moves over with its appid and secret as they are (a short secret with a warning).
    const imported = await s.admin('/weiting/apps', { body: { name: 'old partner', appid: 'APP_legacy-01', secret: 'tiny' } });
    assert.equal(imported.status, 201, JSON.stringify(imported.body));
    assert.equal(imported.body.secret, 'tiny');
    assert.match(imported.body.warnings[0], /4 characters/);
    await f.token('APP_legacy-01', 'tiny');
    assert.equal((await s.admin('/weiting/apps', { body: { name: 'again', appid: 'APP_legacy-01', secret: 'tiny' } })).status, 409);

    for (const [body, param] of [
      [{ name: 'x', allowedHosts: ['https://partner.example.com'] }, 'allowedHosts'],
      [{ name: 'x', allowedHosts: ['evil.com/path'] }, 'allowedHosts'],
      [{ name: 'x', allowedHosts: 'partner.example.com' }, 'allowedHosts'],
      [{ name: 'x', dailyTokenLimit: 0 }, 'dailyTokenLimit'],
      [{ name: 'x', appid: 'has space' }, 'appid'],
      [{ name: '' }, 'name'],
      [{ name: 'x', color: 'red' }, 'color'],
      [{ name: 'x', secret: 'x'.repeat(129) }, 'secret'],
    ] as [Json, string][]) {
      const r = await s.admin('/weiting/apps', { body });
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.body.error.param, param, JSON.stringify(r.body));
    }
    assert.equal((await s.admin('/weiting/apps/nope')).status, 404);

    // Hosts replaced as a whole; the login broker follows at once.
    const token = await f.token(made.body.appid, made.body.secret);
    const base = (state: string) => f.post('/service/wxoauth/2.0/getBaseUrl', { access_token: token }, { form: { state } });
    assert.equal((await base('https://partner.example.com/x')).body.status, 200);
    const patched = await s.admin(`/weiting/apps/${made.body.appid}`, { method: 'PATCH', body: { allowedHosts: ['other.example.com'] } });
    assert.deepEqual(patched.body.allowedHosts, ['other.example.com']);
    assert.equal((await base('https://partner.example.com/x')).body.status, 40002);

    // A rotated secret: the old one gets no token, and the tokens issued under it are revoked.
    const rotated = await s.admin(`/weiting/apps/${made.body.appid}/rotate-secret`, { body: {} });
    assert.match(rotated.body.secret, /^[A-Za-z0-9]{32}$/);
    assert.deepEqual((await f.get('/service/1.0/access/token', { appid: made.body.appid, secret: made.body.secret })).body, {
      status: 40001,
      errMsg: 'appid 或 secret 错误',
    });
    const fresh = await f.token(made.body.appid, rotated.body.secret);
    assert.deepEqual((await f.get('/service/1.0/user/info', { access_token: token, openid: 'oSomebody0001' })).body, {
      status: 0,
      errMsg: 'access_token校验异常',
    });
    assert.equal((await f.get('/service/1.0/user/info', { access_token: fresh, openid: 'oSomebody0001' })).body.flag, 1);
  });

  test(`weiting users import: CSV and JSON lines, a report per row, a refused row writes nothing (${backend})`, async (t) => {
    const f = await weitingFixture(backend);
    t.after(() => f.close());
    const csv = [
      '\ufeffopenid,nickname,headimg,deviceno,devicename,bindtime,bpn,sort',
      'oImport000000001,张三,http://wx.qlogo.cn/a.png,62306600,固话,2016-05-27 11:04:36,92125567729,1',
      'oImport000000001,张三,http://wx.qlogo.cn/a.png,18964524000,手机,2016-01-21 08:48:53,82537753581,1',
      'oImport000000001,张三,http://wx.qlogo.cn/a.png,62306600,固话,2016-05-27 11:04:36,92125567729,1',
      'oImport000000001,"张 ""三""",,,,,,',
      'oImport000000002,李四,,12ab,,,,',
      'oImport000000003,王五,,62062100,固话,2016-13-45 99:00:00,,',
      'bad openid,x,,,,,,',
      'oImport000000004,"unclosed,,,,,,,',
      'oImport000000005,too,many,fields,,,,,,',
      '',
      'oImport000000006,赵六,javascript:alert(1),,,,,',
      'oImport000000007,孙七,,,,,,',
    ].join('\r\n');
    const r = await importUsers(f.s.url, f.s.adminToken, csv, 'text/csv');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const rows = (r.body.rows as Json[]).map((row) => [row.line, row.openid ?? null, row.result, row.reason ?? null]);
    assert.deepEqual(rows, [
      [2, 'oImport000000001', 'created', null],
      [3, 'oImport000000001', 'updated', null],
      [4, 'oImport000000001', 'skipped', null],
      [5, 'oImport000000001', 'updated', null],
      [6, 'oImport000000002', 'refused', 'deviceno must be 7–20 digits'],
      [7, 'oImport000000003', 'refused', 'bindtime must be a China time yyyy-MM-dd HH:mm:ss or an ISO 8601 time'],
      [8, 'bad openid', 'refused', 'openid must be 6–64 letters, digits, _ or -'],
      [9, null, 'refused', 'the line is not CSV (an unclosed or misplaced quote)'],
      [10, null, 'refused', 'the line has 10 fields, the header 8'],
      [12, 'oImport000000006', 'refused', 'headimg must be an http(s) URL of at most 512 characters'],
      [13, 'oImport000000007', 'created', null],
    ]);
    assert.deepEqual(r.body.counts, { created: 2, updated: 2, skipped: 1, refused: 6 });
    // An unknown user is 404 as every other unknown resource; only a malformed openid is 400.
    const unknown = await f.s.admin('/weiting/users/oNoSuchUser0001');
    assert.equal(unknown.status, 404, JSON.stringify(unknown.body));
    assert.equal(unknown.body.error.kind, 'NotFound');
    assert.equal((await f.s.admin('/weiting/users/a%20b')).status, 400);
    // Refused rows wrote nothing.
    for (const openid of ['oImport000000002', 'oImport000000003', 'oImport000000006'])
      assert.equal((await f.s.admin(`/weiting/users/${openid}`)).status, 404, openid);

    const token = await f.token();
    const info = (await f.get('/service/1.0/user/info', { access_token: token, openid: 'oImport000000001' })).body.result as Json;
    assert.equal(info.nickname, '张 "三"');
    assert.equal(info.headimg, 'http://wx.qlogo.cn/a.png');
    assert.deepEqual(info.accounts, [
      {
        deviceno: '62306600',
        devicename: '固话',
        bindtime: '2016-05-27 11:04:36',
        bindtdate: '2016-05-27 11:04:36',
        bpn: '92125567729',
        sort: '1',
      },
      {
        deviceno: '18964524000',
        devicename: '手机',
        bindtime: '2016-01-21 08:48:53',
        bindtdate: '2016-01-21 08:48:53',
        bpn: '82537753581',
        sort: '1',
      },
    ]);

    const jsonl = [
      JSON.stringify({ openid: 'oImport000000007', deviceno: '13300000001' }),
      JSON.stringify({ openid: 'oImport000000008', nickname: 'n', bindtime: '2020-01-01 00:00:00' }),
      '[1,2]',
      '{"openid": ',
      JSON.stringify({ openid: 'oImport000000009', nickname: { x: 1 } }),
      JSON.stringify({ openid: 'oImport000000010', nickname: 'x'.repeat(5000) }),
      JSON.stringify({ openid: 'oImport000000011', color: 'red' }),
      JSON.stringify({ openid: 'oImport000000012', nickname: 'tab\there' }),
    ].join('\n');
    const j = await importUsers(f.s.url, f.s.adminToken, jsonl, 'application/x-ndjson');
    assert.equal(j.status, 200, JSON.stringify(j.body));
    assert.deepEqual(
      (j.body.rows as Json[]).map((row) => [row.line, row.result, row.reason ?? null]),
      [
        [1, 'updated', null],
        [2, 'refused', 'bindtime needs a deviceno'],
        [3, 'refused', 'the line is not a JSON object'],
        [4, 'refused', 'the line is not a JSON object'],
        [5, 'refused', 'nickname must be text'],
        [6, 'refused', 'the line is longer than 4096 characters'],
        [7, 'refused', 'unknown column "color"'],
        [8, 'refused', 'nickname must not contain control characters'],
      ],
    );
    // text/plain: JSON lines when it starts with an object, else CSV.
    const plain = await importUsers(f.s.url, f.s.adminToken, JSON.stringify({ openid: 'oImport000000013' }), 'text/plain');
    assert.deepEqual(plain.body.counts, { created: 1, updated: 0, skipped: 0, refused: 0 });

    // Whole imports refused: no openid column, too many rows, too large, not UTF-8, no body.
    const noColumn = await importUsers(f.s.url, f.s.adminToken, 'nickname\nx', 'text/csv');
    assert.equal(noColumn.status, 400);
    assert.match(noColumn.body.error.message, /openid among them/);
    const many = ['openid', ...Array.from({ length: 10_001 }, (_, i) => `oMany${String(i).padStart(8, '0')}`)].join('\n');
    const tooMany = await importUsers(f.s.url, f.s.adminToken, many, 'text/csv');
    assert.equal(tooMany.status, 400);
    assert.match(tooMany.body.error.message, /at most 10000 rows/);
    assert.equal((await f.s.admin('/weiting/users/oMany00000000')).status, 404, 'nothing of a refused import');
    const huge = await importUsers(f.s.url, f.s.adminToken, 'openid\n' + 'oHuge0000000001\n'.repeat(600_000), 'text/csv');
    assert.equal(huge.status, 413);
    const gbk = await importUsers(
      f.s.url,
      f.s.adminToken,
      new Uint8Array([...Buffer.from('openid,nickname\noGbk000000001,'), 0xd5, 0xc5, 0xc8, 0xfd]),
      'text/csv',
    );
    assert.equal(gbk.status, 400);
    assert.match(gbk.body.error.message, /not UTF-8/);
    const json = await f.s.admin('/weiting/users/import', { body: { openid: 'x' } });
    assert.equal(json.status, 400);
    assert.match(json.body.error.message, /text\/csv/);
  });
}

test('kaifang weiting: apps, import, tickets, notices and orders from the CLI, on the store a server uses', async (t) => {
  const f = await weitingFixture('sqlite');
  t.after(() => f.close());
  const env = f.s.backend.env;
  const dir = mkdtempSync(join(tmpdir(), 'kaifang-weiting-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));

  const created = await kaifang(env, [
    'weiting',
    'apps',
    'create',
    '--name',
    'cli app',
    '--allowed-host',
    'a.example.com',
    '--allowed-host',
    '*.example.org',
    '--daily-token-limit',
    '50',
    '--json',
  ]);
  assert.equal(created.code, 0, created.stderr);
  const app = created.json();
  assert.deepEqual(app.allowedHosts, ['a.example.com', '*.example.org']);
  assert.equal(app.dailyTokenLimit, 50);
  await f.token(app.appid, app.secret); // the running server sees it

  const imported = await kaifang(
    env,
    ['weiting', 'apps', 'import', '--appid', 'legacy_app', '--secret', '-', '--name', 'legacy'],
    'legacy-secret-0123456789\n',
  );
  assert.equal(imported.code, 0, imported.stderr);
  assert.ok(!imported.stdout.includes('legacy-secret-0123456789'), 'an imported secret is not printed back');
  await f.token('legacy_app', 'legacy-secret-0123456789');

  const human = await kaifang(env, ['weiting', 'apps', 'show', app.appid]);
  assert.match(human.stdout, /allowedHosts\s+a\.example\.com, \*\.example\.org/);
  assert.ok(!human.stdout.includes(app.secret));
  const cleared = await kaifang(env, ['weiting', 'apps', 'set', app.appid, '--no-allowed-hosts', '--json']);
  assert.deepEqual(cleared.json().allowedHosts, []);
  const nothing = await kaifang(env, ['weiting', 'apps', 'set', app.appid]);
  assert.equal(nothing.code, 1);
  assert.match(nothing.stderr, /nothing to change/);
  const badLimit = await kaifang(env, ['weiting', 'apps', 'create', '--name', 'x', '--daily-token-limit', 'lots']);
  assert.equal(badLimit.code, 1);
  assert.match(badLimit.stderr, /--daily-token-limit/);

  const file = join(dir, 'users.csv');
  writeFileSync(file, 'openid,nickname,deviceno\noCli0000000001,cli user,17717463317\noCli0000000002,,12\n');
  const report = await kaifang(env, ['weiting', 'users', 'import', file]);
  assert.equal(report.code, 2, 'a refused row makes the exit code 2');
  assert.match(report.stdout, /2\s+oCli0000000001\s+created/);
  assert.match(report.stdout, /3\s+oCli0000000002\s+refused\s+deviceno must be 7–20 digits/);
  assert.match(report.stdout, /created 1, updated 0, skipped 0, refused 1/);
  const again = await kaifang(
    env,
    ['weiting', 'users', 'import', '-', '--format', 'jsonl', '--json'],
    JSON.stringify({ openid: 'oCli0000000001', deviceno: '17717463317' }) + '\n',
  );
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(again.json().counts, { created: 0, updated: 0, skipped: 1, refused: 0 });
  const missing = await kaifang(env, ['weiting', 'users', 'import', join(dir, 'nope.csv')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot read .*nope\.csv: ENOENT/);
  const user = await kaifang(env, ['weiting', 'users', 'show', 'oCli0000000001', '--json']);
  assert.deepEqual(
    user.json().accounts.map((a: Json) => a.deviceno),
    ['17717463317'],
  );

  const ticket = await kaifang(env, ['weiting', 'tickets', 'issue', '--mobile', '17717463317', '--json']);
  assert.equal(ticket.code, 0, ticket.stderr);
  const token = await f.token();
  assert.deepEqual((await f.get('/service/appOauthen/Ticket', { access_token: token, ticket: ticket.json().ticket })).body, {
    errcode: 0,
    data: { mobile: '17717463317' },
  });
  const badMobile = await kaifang(env, ['weiting', 'tickets', 'issue', '--mobile', '12345']);
  assert.equal(badMobile.code, 1);
  assert.match(badMobile.stderr, /--mobile/);

  const openid = await f.openidOf('cli_user');
  await f.post(
    '/service/1.0/sendPrizeNotice',
    { access_token: token },
    { form: { openid, first: 'a', activity: 'b', prize: 'c', remark: 'd' } },
  );
  await f.post(
    '/service/flowOrders/create',
    { access_token: token },
    { json: { openid, deviceno: '17717463317', traffic_package_name: '1GB', channel: '1', from: 'cli' } },
  );
  const notices = await kaifang(env, ['weiting', 'notices', '--openid', openid, '--json']);
  assert.equal(notices.json().notices[0].outcome, 'sent');
  const orders = await kaifang(env, ['weiting', 'orders']);
  assert.match(orders.stdout, new RegExp(`\\d{23}\\s+${f.appid}\\s+${openid}\\s+17717463317\\s+1GB`));
  const badLimitList = await kaifang(env, ['weiting', 'orders', '--limit', '501']);
  assert.equal(badLimitList.code, 1);
  assert.match(badLimitList.stderr, /limit/);
});
