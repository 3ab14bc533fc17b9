import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backendNames } from '../../../../test/helpers/backends.ts';
import { weitingFixture, type Json, type WeitingFixture } from './helpers.ts';

/**
 * Inputs held to their rules: the reports' required `channel` and `from` (and no control
 * characters), allowed hosts (a wildcard over a registrable domain, ports 1–65535) and how the login
 * broker matches them, the users import (a column named twice, a quoted field holding a line break,
 * a change of one device detail alone, seen by user/info before and after).
 */

async function importCsv(f: WeitingFixture, csv: string): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${f.s.url}/admin/api/weiting/users/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${f.s.adminToken}`, 'content-type': 'text/csv' },
    body: csv,
  });
  return { status: res.status, body: (await res.json()) as Json };
}

for (const backend of backendNames()) {
  test(`weiting weekBind and flowOrders: channel and from required, no control characters, nothing recorded when refused (${backend})`, async (t) => {
    const f = await weitingFixture(backend);
    t.after(() => f.close());
    const token = await f.token();
    const openid = 'oChannelUser0001';
    const base = { openid, deviceno: '17700000001', channel: '1', from: 'love flow' };
    for (const [path, extra] of [
      ['/service/weekBind/create', {}],
      ['/service/flowOrders/create', { traffic_package_name: '1GB' }],
    ] as const) {
      const post = (body: Record<string, string>) => f.post(path, { access_token: token }, { json: { ...body, ...extra } });
      const { channel: _c, ...noChannel } = base;
      const { from: _f, ...noFrom } = base;
      for (const [body, why] of [
        [noChannel, /channel is required/],
        [noFrom, /from is required/],
        [{ ...base, channel: '' }, /channel is required/],
        [{ ...base, channel: 'a\u0000b' }, /channel must not contain control characters/],
        [{ ...base, from: 'love\nflow' }, /from must not contain control characters/],
        [{ ...base, operators: '电\u0000信' }, /operators must not contain control characters/],
        [{ ...base, channel: 'c'.repeat(129) }, /channel is longer than 128/],
      ] as [Record<string, string>, RegExp][]) {
        const r = await post(body);
        assert.deepEqual(Object.keys(r.body), ['data', 'status', 'info'], `${path} ${JSON.stringify(body)}`);
        assert.equal(r.body.status, 0, `${path} ${JSON.stringify(body)}`);
        assert.match(r.body.data, why);
      }
      if (path === '/service/flowOrders/create') {
        const r = await f.post(path, { access_token: token }, { json: { ...base, traffic_package_name: '1G\u0000B' } });
        assert.match(r.body.data, /traffic_package_name must not contain control characters/);
      }
      assert.equal((await post(base)).body.status, 200, 'with both it is taken');
    }
    assert.equal(((await f.s.admin('/weiting/orders')).body.orders as Json[]).length, 1);
    const user = (await f.get('/service/1.0/user/info', { access_token: token, openid })).body;
    assert.deepEqual(
      user.result.accounts.map((a: Json) => a.deviceno),
      ['17700000001'],
    );
  });

  test(`weiting allowedHosts: a wildcard over a registrable domain, ports 1–65535; the broker matches whole hosts and exact ports (${backend})`, async (t) => {
    const f = await weitingFixture(backend);
    t.after(() => f.close());
    for (const host of [
      '*.com',
      '*.cn',
      '*.com.cn',
      '*.sh.cn',
      '*.co.uk',
      '*.github.io',
      '*.123',
      'a.example.com:0',
      'a.example.com:99999',
      'a.example.com:065535',
    ]) {
      const r = await f.s.admin('/weiting/apps', { body: { name: 'x', allowedHosts: [host] } });
      assert.equal(r.status, 400, host);
      assert.equal(r.body.error.param, 'allowedHosts');
      const patched = await f.s.admin(`/weiting/apps/${f.appid}`, { method: 'PATCH', body: { allowedHosts: [host] } });
      assert.equal(patched.status, 400, `PATCH ${host}`);
    }
    for (const host of [
      '*.example.com',
      '*.example.com.cn',
      '*.partner.sh.cn',
      'a.example.com:1',
      'a.example.com:65535',
      '127.0.0.1:8080',
    ]) {
      const r = await f.s.admin('/weiting/apps', { body: { name: 'x', allowedHosts: [host] } });
      assert.equal(r.status, 201, `${host}: ${JSON.stringify(r.body)}`);
    }

    // Matching, with the fixture's partner.example.com, *.example.org and the server's own host:port.
    const token = await f.token();
    const base = async (state: string) =>
      (await f.post('/service/wxoauth/2.0/getBaseUrl', { access_token: token }, { form: { state } })).body.status;
    const port = new URL(f.s.url).port;
    for (const state of [
      'https://evil-partner.example.com/x',
      'https://partnerexample.com/x',
      'https://evilexample.org/x',
      'https://example.org.evil.com/x',
      'https://xexample.org/x',
      'https://a.example.org.evil.com/x',
      'https://user@partner.example.com/x',
      'https://user:@partner.example.com/x',
      'https://:pw@partner.example.com/x',
      'https://partner.example.com:444/x',
      'https://a.example.org:8443/x',
      `http://127.0.0.1:${Number(port) + 1}/x`,
      'http://127.0.0.1/x',
      'https://partner.example.com.:443/x',
    ]) {
      assert.equal(await base(state), 40002, state);
    }
    for (const state of [
      'https://partner.example.com:443/x',
      'http://partner.example.com:80/x',
      'https://a.example.org/x',
      `http://127.0.0.1:${port}/x`,
    ]) {
      assert.equal(await base(state), 200, state);
    }
  });

  test(`weiting users import: a column named twice is refused, a quoted field may hold a line break, one device detail changes alone (${backend})`, async (t) => {
    const f = await weitingFixture(backend);
    t.after(() => f.close());
    const twice = await importCsv(f, 'openid,openid\noDup000000001,oDup000000002\n');
    assert.equal(twice.status, 400);
    assert.match(twice.body.error.message, /names the column "openid" twice/);
    const twiceOther = await importCsv(f, 'openid,nickname,NICKNAME,nickname\noDup000000001,a,b,c\n');
    assert.equal(twiceOther.status, 400);
    assert.equal((await f.s.admin('/weiting/users/oDup000000001')).status, 404, 'nothing imported');

    const csv = [
      'openid,nickname,deviceno,devicename,bpn,sort',
      'oBreak000000001,"张\n三",62306600,"固话\r\n（家）",92125567729,1',
      'oBreak000000002,"李""四""",18964524000,,,',
      'oBreak000000003,"never closed,,,,',
      'oBreak000000004,赵\u0000六,,,,',
      'oBreak000000005,王五,,,,',
    ].join('\r\n');
    const r = await importCsv(f, csv);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(
      (r.body.rows as Json[]).map((row) => [row.line, row.openid ?? null, row.result, row.reason ?? null]),
      [
        [2, 'oBreak000000001', 'created', null], // lines 2–4: two line breaks inside quotes
        [5, 'oBreak000000002', 'created', null],
        [6, null, 'refused', 'the line is not CSV (an unclosed or misplaced quote)'],
        [7, 'oBreak000000004', 'refused', 'nickname must not contain control characters'],
        [8, 'oBreak000000005', 'created', null],
      ],
    );
    const token = await f.token();
    const info = async (openid: string) => (await f.get('/service/1.0/user/info', { access_token: token, openid })).body.result as Json;
    const before = await info('oBreak000000001');
    assert.equal(before.nickname, '张\n三');
    assert.equal(before.accounts[0].devicename, '固话\n（家）', 'a line break inside a field is read as \\n');
    assert.equal((await info('oBreak000000002')).nickname, '李"四"');

    // One device detail alone (bpn), then sort alone: updated, seen by user/info at once; the rest as it was.
    const oneDetail = await importCsv(f, 'openid,deviceno,bpn\noBreak000000001,62306600,11111111111\n');
    assert.deepEqual(oneDetail.body.counts, { created: 0, updated: 1, skipped: 0, refused: 0 });
    const after = await info('oBreak000000001');
    assert.equal(after.accounts[0].bpn, '11111111111');
    assert.equal(after.accounts[0].devicename, before.accounts[0].devicename);
    assert.equal(after.accounts[0].sort, '1');
    assert.equal(after.nickname, before.nickname);
    assert.equal(after.accounts[0].bindtime, before.accounts[0].bindtime);
    const sortAlone = await importCsv(f, 'openid,deviceno,sort\noBreak000000001,62306600,2\n');
    assert.deepEqual(sortAlone.body.counts, { created: 0, updated: 1, skipped: 0, refused: 0 });
    assert.equal((await info('oBreak000000001')).accounts[0].sort, '2');
    assert.equal((await info('oBreak000000001')).accounts[0].bpn, '11111111111');
    const bindtime = await importCsv(f, 'openid,deviceno,bindtime\noBreak000000001,62306600,2020-01-02 03:04:05\n');
    assert.deepEqual(bindtime.body.counts, { created: 0, updated: 1, skipped: 0, refused: 0 });
    const timed = (await info('oBreak000000001')).accounts[0];
    assert.equal(timed.bindtime, '2020-01-02 03:04:05');
    assert.equal(timed.bindtdate, '2020-01-02 03:04:05');
    const same = await importCsv(f, 'openid,deviceno,bpn,sort\noBreak000000001,62306600,11111111111,2\n');
    assert.deepEqual(same.body.counts, { created: 0, updated: 0, skipped: 1, refused: 0 }, 'nothing new: skipped');
  });
}
