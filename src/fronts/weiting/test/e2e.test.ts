import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ManualClock } from '../../../kernel/clock.ts';
import { backendNames } from '../../../../test/helpers/backends.ts';
import { notice, OA_APPID, OA_TEMPLATE, TOKEN_REFUSED, weitingFixture, type Json } from './helpers.ts';

/**
 * The 微厅 front end to end over real HTTP: every endpoint of weiting.md in the seed's reply
 * shapes, every documented error, through the sandbox WeChat (web authorization, the official
 * account's token, template messages).
 */

// 2026-03-01 12:00 China time: a fixed day for the clock-driven tests.
const NOON_CST = Date.UTC(2026, 2, 1, 4, 0, 0);
const HOUR = 3600_000;
/**
 * Tests that wait on the official account's token lock or a refresh take about a second; a lock
 * never released costs its 15 s lease. The bound makes that a failure, not a slow pass.
 */
const BOUNDED = { timeout: 10_000 };

for (const backend of backendNames()) {
  test(`weiting access token: shape, life, the previous token's 5 minutes, wrong credentials, disabled apps, stored as hashes (${backend})`, async (t) => {
    const clock = new ManualClock(NOON_CST);
    const f = await weitingFixture(backend, { clock });
    t.after(() => f.close());

    const r = await f.get('/service/1.0/access/token', { appid: f.appid, secret: f.secret });
    assert.deepEqual(Object.keys(r.body), ['data', 'status', 'info']);
    assert.equal(r.body.status, 200);
    assert.equal(r.body.info, 0);
    const first = r.body.data as string;
    assert.match(first, /^[A-Za-z0-9_=-]{32,}$/);
    const info = (token: string) => f.get('/service/1.0/user/info', { access_token: token, openid: 'oNobody000000' });
    assert.deepEqual((await info(first)).body, { result: null, flag: 1 });

    // Stored only as a hash.
    const rows = await f.s.k.core.db.selectFrom('bearer_tokens').select(['hash', 'subject']).where('kind', '=', 'weiting:access').execute();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.hash, createHash('sha256').update(first).digest('hex'));
    assert.ok(!JSON.stringify(rows).includes(first));

    // A new token: the previous one works 5 more minutes, then stops; the new one lives 7200 s.
    clock.advance(HOUR);
    const second = await f.token();
    assert.notEqual(second, first);
    clock.advance(299_000);
    assert.deepEqual((await info(first)).body, { result: null, flag: 1 });
    clock.advance(2_000);
    assert.deepEqual((await info(first)).body, TOKEN_REFUSED);
    assert.deepEqual((await info(second)).body, { result: null, flag: 1 });
    clock.advance(7200_000 - 301_000 - 1_000);
    assert.deepEqual((await info(second)).body, { result: null, flag: 1 }, 'one second before its 7200 s');
    clock.advance(2_000);
    assert.deepEqual((await info(second)).body, TOKEN_REFUSED, 'past its 7200 s');

    const wrong = { status: 40001, errMsg: 'appid 或 secret 错误' };
    assert.deepEqual((await f.get('/service/1.0/access/token', { appid: f.appid, secret: f.secret + 'x' })).body, wrong);
    assert.deepEqual((await f.get('/service/1.0/access/token', { appid: 'wtunknown', secret: f.secret })).body, wrong);
    assert.deepEqual((await f.get('/service/1.0/access/token', { appid: f.appid })).body, wrong);
    assert.deepEqual((await f.get('/service/1.0/access/token', {})).body, wrong);

    // Disabling the app revokes its live tokens and refuses new ones; enabling it again does not bring them back.
    const live = await f.token();
    assert.equal((await f.s.admin(`/weiting/apps/${f.appid}/disable`, { method: 'POST' })).status, 200);
    assert.deepEqual((await f.get('/service/1.0/access/token', { appid: f.appid, secret: f.secret })).body, wrong);
    assert.deepEqual((await info(live)).body, TOKEN_REFUSED);
    assert.equal((await f.s.admin(`/weiting/apps/${f.appid}/enable`, { method: 'POST' })).status, 200);
    assert.deepEqual((await info(live)).body, TOKEN_REFUSED, 'a revoked token stays revoked');
    assert.deepEqual((await info(await f.token())).body, { result: null, flag: 1 });
  });

  test(`weiting access token: the daily limit per app, the day turning at 00:00 China time (${backend})`, async (t) => {
    // 23:59:00 China time.
    const clock = new ManualClock(Date.UTC(2026, 2, 1, 15, 59, 0));
    const f = await weitingFixture(backend, { clock });
    t.after(() => f.close());
    assert.equal((await f.s.admin(`/weiting/apps/${f.appid}`, { method: 'PATCH', body: { dailyTokenLimit: 2 } })).status, 200);
    await f.token();
    await f.token();
    const over = { status: 45009, errMsg: 'access_token 今日获取次数已达上限' };
    assert.deepEqual((await f.get('/service/1.0/access/token', { appid: f.appid, secret: f.secret })).body, over);
    clock.advance(59_000); // 23:59:59
    assert.deepEqual((await f.get('/service/1.0/access/token', { appid: f.appid, secret: f.secret })).body, over);
    clock.advance(1_000); // 00:00:00 China time: a new day
    await f.token();
    await f.token();
    assert.deepEqual((await f.get('/service/1.0/access/token', { appid: f.appid, secret: f.secret })).body, over);
    // Another app has its own count.
    const other = await f.s.admin('/weiting/apps', { body: { name: 'other' } });
    await f.token(other.body.appid, other.body.secret);
  });

  test(`weiting: every endpoint refuses a missing, unknown, expired or disabled token with the seed's answer, doing nothing (${backend})`, async (t) => {
    const clock = new ManualClock(NOON_CST);
    const f = await weitingFixture(backend, { clock });
    t.after(() => f.close());
    const expired = await f.token();
    clock.advance(7201_000);
    const other = await f.s.admin('/weiting/apps', { body: { name: 'soon disabled' } });
    const disabled = await f.token(other.body.appid, other.body.secret);
    await f.s.admin(`/weiting/apps/${other.body.appid}/disable`, { method: 'POST' });
    const openid = 'oRefusedUser000001';
    const calls: [string, string, Json | undefined][] = [
      ['POST', '/service/wxoauth/2.0/getBaseUrl', { form: { state: `${f.s.url}/back` } }],
      ['POST', '/service/wxoauth/2.0/getOpenidByCode', { form: { code: 'x' } }],
      ['GET', '/service/1.0/user/info', undefined],
      ['POST', '/service/1.0/sendPrizeNotice', { form: notice(openid) }],
      ['POST', '/service/weekBind/create', { json: { openid, deviceno: '17700000000' } }],
      ['POST', '/service/flowOrders/create', { json: { openid, deviceno: '17700000000', traffic_package_name: '1GB' } }],
      ['GET', '/service/appOauthen/Ticket', undefined],
    ];
    for (const token of [undefined, '', 'unknown-token-0123456789abcdef0123456789', expired, disabled]) {
      for (const [method, path, body] of calls) {
        const query: Record<string, string> = token === undefined ? { openid, ticket: 'x' } : { access_token: token, openid, ticket: 'x' };
        const r = method === 'GET' ? await f.get(path, query) : await f.post(path, query, body!);
        assert.equal(r.status, 200);
        assert.deepEqual(r.body, TOKEN_REFUSED, `${path} with ${token === undefined ? 'no' : JSON.stringify(token.slice(0, 12))} token`);
      }
    }
    // Nothing was done: no notice sent or recorded, no user, no report.
    assert.deepEqual(await f.inbox(), []);
    assert.deepEqual((await f.s.admin('/weiting/notices')).body, { notices: [], total: 0, limit: 50, offset: 0 });
    assert.deepEqual((await f.s.admin('/weiting/orders')).body, { orders: [], total: 0, limit: 50, offset: 0 });
    assert.equal((await f.s.admin(`/weiting/users/${openid}`)).status, 404);
  });

  test(`weiting login broker: getBaseUrl, WeChat's authorize page, wxcode's redirect, getOpenidByCode once for the app that started it (${backend})`, async (t) => {
    const f = await weitingFixture(backend);
    t.after(() => f.close());
    const token = await f.token();
    const partner = `${f.s.url}/sandbox/partner?from=login&x=1#section-2`;
    const start = await f.post('/service/wxoauth/2.0/getBaseUrl', { access_token: token }, { form: { state: partner } });
    assert.deepEqual(Object.keys(start.body), ['status', 'redirect']);
    assert.equal(start.body.status, 200);
    const redirect = start.body.redirect as string;
    assert.ok(redirect.endsWith('#wechat_redirect'), redirect);
    const wechat = new URL(redirect);
    assert.equal(wechat.pathname, '/sandbox/wechat-open/connect/oauth2/authorize');
    assert.equal(wechat.searchParams.get('appid'), OA_APPID);
    assert.equal(wechat.searchParams.get('redirect_uri'), `${f.s.url}/service/wxoauth/2.0/wxcode`);
    assert.equal(wechat.searchParams.get('response_type'), 'code');
    assert.equal(wechat.searchParams.get('scope'), 'snsapi_base');
    const state = wechat.searchParams.get('state')!;
    assert.ok(Buffer.byteLength(state) <= 128 && /^[A-Za-z0-9]+$/.test(state), `an opaque state: ${state}`);
    assert.ok(!state.includes('sandbox') && !decodeURIComponent(state).includes(f.s.url), "the partner URL is not in WeChat's state");

    // The page itself: HTML that names the official account, no external assets.
    const page = await fetch(redirect.replace('#wechat_redirect', ''));
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, new RegExp(OA_APPID));
    assert.match(html, /上海电信/);
    assert.doesNotMatch(html, /(src|href)=["']?https?:/);

    // Following the redirects as a browser does, approving as alice.
    const done = await f.login(token, partner, 'alice');
    assert.equal(done.wxcodeStatus, 302);
    const landing = new URL(done.landing);
    assert.equal(`${landing.origin}${landing.pathname}`, `${f.s.url}/sandbox/partner`);
    assert.equal(landing.searchParams.get('from'), 'login');
    assert.equal(landing.searchParams.get('x'), '1');
    assert.equal(landing.hash, '#section-2');
    const code = landing.searchParams.get('code')!;
    assert.match(Buffer.from(code, 'base64').toString('ascii'), /^[0-9a-f]{24}$/, "the seed's look: base64 of hex");

    // Another app cannot use it, and that attempt does not spend it.
    const other = await f.s.admin('/weiting/apps', { body: { name: 'other' } });
    const otherToken = await f.token(other.body.appid, other.body.secret);
    const expired = { status: 40005, errMsg: 'code 已过期' };
    assert.deepEqual(
      (await f.post('/service/wxoauth/2.0/getOpenidByCode', { access_token: otherToken }, { form: { code } })).body,
      expired,
    );
    const got = await f.post('/service/wxoauth/2.0/getOpenidByCode', { access_token: token }, { json: { code } });
    assert.deepEqual(got.body, { status: 200, openid: await f.openidOf('alice') });
    assert.deepEqual(
      (await f.post('/service/wxoauth/2.0/getOpenidByCode', { access_token: token }, { form: { code } })).body,
      expired,
      'once',
    );
    assert.deepEqual(
      (await f.post('/service/wxoauth/2.0/getOpenidByCode', { access_token: token }, { form: { code: 'bm90LWEtY29kZQ==' } })).body,
      expired,
    );
    assert.deepEqual((await f.post('/service/wxoauth/2.0/getOpenidByCode', { access_token: token }, { form: {} })).body, expired);
    // The user was recorded.
    assert.deepEqual(
      (await f.get('/service/1.0/user/info', { access_token: token, openid: got.body.openid })).body.result.openid,
      got.body.openid,
    );

    // Refusing on WeChat's page: back to wxcode without a code → the HTML page, 400.
    const refused = new URL(
      (await f.post('/service/wxoauth/2.0/getBaseUrl', { access_token: token }, { form: { state: partner } })).body.redirect,
    );
    refused.hash = '';
    const decide = new URL('/sandbox/wechat-open/connect/oauth2/decide', f.s.url);
    for (const name of ['appid', 'redirect_uri', 'response_type', 'scope', 'state'])
      decide.searchParams.set(name, refused.searchParams.get(name)!);
    decide.searchParams.set('decision', 'refuse');
    const back = await fetch(decide, { redirect: 'manual' });
    assert.equal(back.status, 302);
    const noCode = await fetch(back.headers.get('location')!, { redirect: 'manual' });
    assert.equal(noCode.status, 400);
    assert.match(noCode.headers.get('content-type')!, /^text\/html/);
    assert.match(await noCode.text(), /未获得微信授权/);
  });

  test(`weiting login broker: codes and states that are expired, reused or refused by WeChat (${backend})`, async (t) => {
    const clock = new ManualClock(NOON_CST);
    const f = await weitingFixture(backend, { clock });
    t.after(() => f.close());
    const token = await f.token();
    const partner = `${f.s.url}/sandbox/partner`;

    // WeChat refusing the code: the HTML page, 502, no code, and a 返回 link to the partner with
    // error=server_error. WeChat busy (-1) or not answering usefully is worded as temporary.
    for (const [user, title, error] of [
      ['expired_code', /微信登录失败/, 'server_error'],
      ['used_code', /微信登录失败/, 'server_error'],
      ['invalid_code', /微信登录失败/, 'server_error'],
      ['busy', /微信暂时繁忙/, 'temporarily_unavailable'],
      ['timeout', /微信暂时繁忙/, 'temporarily_unavailable'],
      ['garbage', /微信暂时繁忙/, 'temporarily_unavailable'],
    ] as const) {
      const r = await f.login(token, partner, user);
      assert.equal(r.wxcodeStatus, 502, `${user}: ${r.wxcodeBody.slice(0, 200)}`);
      assert.match(r.wxcodeBody, title);
      assert.ok(r.wxcodeBody.includes(`href="${partner}?error=${error}"`), `${user}: ${r.wxcodeBody}`);
      assert.doesNotMatch(r.wxcodeBody, /code=/);
      assert.equal(r.landing, '');
    }
    // An unknown state, a used one, or one older than 10 minutes: 400.
    const wxcode = (q: Record<string, string>) =>
      fetch(`${f.s.url}/service/wxoauth/2.0/wxcode?${new URLSearchParams(q)}`, { redirect: 'manual' });
    assert.equal((await wxcode({ code: 'abc', state: 'f'.repeat(48) })).status, 400);
    assert.equal((await wxcode({ code: 'abc' })).status, 400);
    const start = new URL(
      (await f.post('/service/wxoauth/2.0/getBaseUrl', { access_token: token }, { form: { state: partner } })).body.redirect,
    );
    const state = start.searchParams.get('state')!;
    clock.advance(600_001);
    const old = await wxcode({ code: 'abc', state });
    assert.equal(old.status, 400);
    assert.match(await old.text(), /登录链接已失效/);

    // A platform code older than 5 minutes.
    const ok = await f.login(await f.token(), partner, 'bob');
    const code = new URL(ok.landing).searchParams.get('code')!;
    clock.advance(300_001);
    const late = await f.post('/service/wxoauth/2.0/getOpenidByCode', { access_token: await f.token() }, { form: { code } });
    assert.deepEqual(late.body, { status: 40005, errMsg: 'code 已过期' });
  });

  test(`weiting getBaseUrl: only http(s) URLs on the app's allowed hosts (no open redirects) (${backend})`, async (t) => {
    const f = await weitingFixture(backend);
    t.after(() => f.close());
    const token = await f.token();
    const bad = { status: 40002, errMsg: 'state 地址不合法' };
    const base = (state: string | undefined) =>
      f.post('/service/wxoauth/2.0/getBaseUrl', { access_token: token }, { form: state === undefined ? {} : { state } });
    for (const state of [
      undefined,
      '',
      'https://evil.example.com/x',
      'javascript:alert(1)//partner.example.com',
      '//partner.example.com/x',
      'partner.example.com/x',
      'ftp://partner.example.com/x',
      'https://partner.example.com.evil.com/x',
      'https://user:pw@partner.example.com/x',
      'https://example.org/x',
      'https://partner.example.com:8443/x',
      'data:text/html,hi',
    ]) {
      assert.deepEqual((await base(state)).body, bad, JSON.stringify(state));
    }
    for (const state of [
      'https://partner.example.com/back?a=1',
      'http://PARTNER.example.com/',
      'https://a.example.org/x',
      'https://a.b.example.org/x',
    ]) {
      assert.equal((await base(state)).body.status, 200, state);
    }
  });

  test(`weiting user/info: the seed's exact shape, devices from logins and reports (${backend})`, async (t) => {
    const f = await weitingFixture(backend);
    t.after(() => f.close());
    const token = await f.token();
    const openid = 'oKXUCj1Fp4fNnb99liSkslcM_D-X';
    for (const deviceno of ['62306600', '18964524000', '62062100']) {
      assert.deepEqual(
        (
          await f.post(
            '/service/weekBind/create',
            { access_token: token },
            { json: { openid, deviceno, operators: '电信', qcellcore: '上海', channel: 'app', from: 'test' } },
          )
        ).body,
        { data: 'success', status: 200, info: 0 },
      );
    }
    // Reported again: recorded, not bound twice.
    await f.post(
      '/service/weekBind/create',
      { access_token: token },
      { form: { openid, deviceno: '62306600', channel: 'app', from: 'test' } },
    );
    const r = await f.get('/service/1.0/user/info', { access_token: token, openid });
    assert.deepEqual(Object.keys(r.body), ['result', 'flag']);
    assert.equal(r.body.flag, 0);
    const u = r.body.result as Json;
    assert.deepEqual(Object.keys(u), ['_id', 'openid', 'nickname', 'headimg', '__v', 'updateAt', 'createAt', 'accounts']);
    assert.match(u._id, /^[0-9a-f]{24}$/);
    assert.equal(u.openid, openid);
    assert.equal(u.__v, 0);
    for (const time of [u.updateAt, u.createAt]) assert.match(time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual(
      u.accounts.map((a: Json) => a.deviceno),
      ['62306600', '18964524000', '62062100'],
    );
    for (const a of u.accounts as Json[]) {
      assert.deepEqual(Object.keys(a), ['deviceno', 'devicename', 'bindtime', 'bindtdate', 'bpn', 'sort']);
      assert.match(a.bindtime, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      assert.equal(a.bindtdate, a.bindtime);
    }
    assert.deepEqual(
      u.accounts.map((a: Json) => a.devicename),
      ['固话', '手机', '固话'],
    );
    assert.deepEqual((await f.get('/service/1.0/user/info', { access_token: token, openid: 'oUnknown00000000' })).body, {
      result: null,
      flag: 1,
    });
    const missing = await f.get('/service/1.0/user/info', { access_token: token });
    assert.deepEqual(missing.body, { result: null, flag: 1, errMsg: 'openid is required' });
    assert.equal((await f.get('/service/1.0/user/info', { access_token: token, openid: 'a b' })).body.flag, 1);
  });

  test(`weiting weekBind/create and flowOrders/create: field errors name the field, nothing recorded (${backend})`, async (t) => {
    const f = await weitingFixture(backend);
    t.after(() => f.close());
    const token = await f.token();
    const openid = 'oReportUser00001';
    const report = (path: string, body: Parameters<typeof f.post>[2]) => f.post(path, { access_token: token }, body);
    const error = (data: RegExp) => (r: { body: Json }) => {
      assert.deepEqual(Object.keys(r.body), ['data', 'status', 'info'], JSON.stringify(r.body));
      assert.equal(r.body.status, 0);
      assert.equal(r.body.info, 0);
      assert.match(r.body.data, data);
    };
    for (const path of ['/service/weekBind/create', '/service/flowOrders/create']) {
      error(/openid is required/)(await report(path, { json: { deviceno: '17700000000', traffic_package_name: 'x' } }));
      error(/deviceno is required/)(await report(path, { json: { openid, traffic_package_name: 'x' } }));
      error(/deviceno must be 7–20 digits/)(await report(path, { json: { openid, deviceno: '12ab', traffic_package_name: 'x' } }));
      error(/openid must be/)(await report(path, { json: { openid: 'x', deviceno: '17700000000', traffic_package_name: 'x' } }));
      error(/JSON/i)(await report(path, { raw: '{"openid": ', contentType: 'application/json' }));
      error(/must be one object/)(await report(path, { raw: '[1,2]', contentType: 'application/json' }));
      error(/"openid" must be text, not an object/)(await report(path, { json: { openid: { $ne: 1 }, deviceno: '17700000000' } }));
    }
    const channel = { channel: '1', from: 'love flow' };
    error(/traffic_package_name is required/)(
      await report('/service/flowOrders/create', { json: { openid, deviceno: '17700000000', ...channel } }),
    );
    error(/transaction_date must be yyyy-MM-dd/)(
      await report('/service/flowOrders/create', {
        json: { openid, deviceno: '17700000000', traffic_package_name: '1GB', transaction_date: '2026/01/01', ...channel },
      }),
    );
    assert.deepEqual((await f.s.admin('/weiting/orders')).body, { orders: [], total: 0, limit: 50, offset: 0 });
    assert.equal((await f.s.admin(`/weiting/users/${openid}`)).status, 404, 'no user made');
  });

  test(`weiting flowOrders/create: unique numbers sorted by time, Idempotency-Key retries get the same number (${backend})`, async (t) => {
    const f = await weitingFixture(backend);
    t.after(() => f.close());
    const token = await f.token();
    const order = {
      openid: 'oOrderUser000001',
      deviceno: '17717463317',
      traffic_package_name: '1GB 日包',
      transaction_date: '2026-03-01 12:00:00',
      channel: 'app',
      from: 'test',
    };
    const numbers: string[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await f.post('/service/flowOrders/create', { access_token: token }, { json: order });
      assert.deepEqual(Object.keys(r.body), ['data', 'status', 'info']);
      assert.equal(r.body.status, 200);
      assert.match(r.body.data, /^\d{23}$/);
      numbers.push(r.body.data);
    }
    assert.equal(new Set(numbers).size, 20);
    const prefixes = numbers.map((n) => n.slice(0, 17));
    assert.deepEqual([...prefixes].sort(), prefixes, 'the time part never goes back');
    const parallel = await Promise.all(
      Array.from({ length: 20 }, () => f.post('/service/flowOrders/create', { access_token: token }, { form: order })),
    );
    assert.equal(new Set([...numbers, ...parallel.map((r) => r.body.data)]).size, 40);

    const keyed = () =>
      f.post('/service/flowOrders/create', { access_token: token }, { json: order, headers: { 'Idempotency-Key': 'order-42' } });
    const [a, b] = await Promise.all([keyed(), keyed()]);
    const c = await keyed();
    assert.equal(a.body.data, b.body.data);
    assert.equal(a.body.data, c.body.data);
    const other = await f.post(
      '/service/flowOrders/create',
      { access_token: token },
      { json: order, headers: { 'Idempotency-Key': 'order-43' } },
    );
    assert.notEqual(other.body.data, a.body.data);
    // Every answered number is recorded, once.
    const recorded = ((await f.s.admin('/weiting/orders?limit=500')).body.orders as Json[]).map((o) => o.orderNo);
    assert.equal(recorded.length, 42);
    for (const n of [...numbers, a.body.data, other.body.data]) assert.ok(recorded.includes(n), n);
    assert.deepEqual((await f.s.admin('/weiting/orders?limit=1')).body.orders[0].fields, order);
    // The admin lists' one shape: a page, the total of the same filter, and a search in the openid.
    const page = (await f.s.admin('/weiting/orders?limit=10&offset=40')).body;
    assert.deepEqual([page.orders.length, page.total, page.limit, page.offset], [2, 42, 10, 40]);
    assert.deepEqual(
      page.orders.map((o: Json) => o.orderNo),
      recorded.slice(40),
    );
    const openid = String(page.orders[0].openid);
    const found = (await f.s.admin(`/weiting/orders?q=${encodeURIComponent(openid.slice(2, 10).toUpperCase())}`)).body;
    assert.equal(found.total, 42, "every order here is this user's: the search finds them all, case-insensitively");
    assert.equal((await f.s.admin('/weiting/orders?q=no-such-openid')).body.total, 0);
    const badKey = await f.post(
      '/service/flowOrders/create',
      { access_token: token },
      { json: order, headers: { 'Idempotency-Key': 'x'.repeat(129) } },
    );
    assert.match(badKey.body.data, /Idempotency-Key/);
  });

  test(`weiting appOauthen/Ticket: issued by the admin API, single use, 5 minutes, the seed's CAPRoot diagnostic (${backend})`, async (t) => {
    const clock = new ManualClock(NOON_CST);
    const f = await weitingFixture(backend, { clock });
    t.after(() => f.close());
    const token = await f.token();
    const issue = async () => {
      const r = await f.s.admin('/weiting/tickets', { body: { mobile: '17717463317' } });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.equal(r.body.expiresIn, 300);
      return r.body.ticket as string;
    };
    const redeem = (ticket?: string) =>
      f.get('/service/appOauthen/Ticket', { access_token: token, ...(ticket === undefined ? {} : { ticket }) });
    const why = (r: { body: Json }) => {
      assert.deepEqual(Object.keys(r.body), ['errcode', 'data', 'msg']);
      assert.equal(r.body.errcode, 1);
      assert.equal(r.body.data, '手机号码获取异常');
      return r.body.msg.CAPRoot.SessionHeader[0].Response[0].RspDesc[0] as string;
    };
    const ticket = await issue();
    assert.deepEqual((await redeem(ticket)).body, { errcode: 0, data: { mobile: '17717463317' } });
    assert.equal(why(await redeem(ticket)), 'ticket已使用');
    assert.equal(why(await redeem('no-such-ticket')), '根据ticket查询网站注册用户信息为空!');
    assert.deepEqual((await redeem()).body, { errcode: 1, data: { mobile: 'ticket必须给出' } });
    assert.deepEqual((await redeem('')).body, { errcode: 1, data: { mobile: 'ticket必须给出' } });
    const late = await issue();
    clock.advance(300_001);
    assert.equal(why(await redeem(late)), 'ticket已过期');
    const bad = await f.s.admin('/weiting/tickets', { body: { mobile: '123' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.param, 'mobile');
  });

  test(
    `weiting sendPrizeNotice: sent through the template, WeChat's refusals, outages, the record of each (${backend})`,
    BOUNDED,
    async (t) => {
      const f = await weitingFixture(backend);
      t.after(() => f.close());
      const token = await f.token();
      const send = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
        f.post('/service/1.0/sendPrizeNotice', { access_token: token }, { form: fields, headers });
      const openid = await f.openidOf('alice');
      const sent = await send(notice(openid, { url: 'https://partner.example.com/prize' }));
      assert.deepEqual(sent.body, { status: 200, result: '发送成功' });
      const [message] = await f.inbox(openid);
      assert.equal(message!.appid, OA_APPID);
      assert.equal(message!.templateId, OA_TEMPLATE);
      assert.equal(message!.url, 'https://partner.example.com/prize');
      assert.deepEqual(message!.data, {
        first: { value: '恭喜您中奖' },
        keyword1: { value: '双十一抽奖' },
        keyword2: { value: '1GB 流量' },
        remark: { value: '感谢参与' },
      });

      // The user's side (not subscribed, an openid WeChat does not know): 发送失败. The platform's side
      // (the account's daily quota, 45009): 推送接口异常, as when WeChat cannot be reached.
      const failed = { status: 0, result: '发送失败' };
      assert.deepEqual((await send(notice('unsubscribed_user1'))).body, failed);
      assert.deepEqual((await send(notice('invalid_openid1'))).body, failed);
      const down = { status: 40005, errMsg: '推送接口异常' };
      assert.deepEqual((await send(notice('limited_user01'))).body, down);
      assert.deepEqual((await send(notice('timeout_user01'))).body, down);
      assert.deepEqual((await send(notice('garbage_user01'))).body, down);

      // Every notice recorded: app, openid, fields, outcome, msgid, reason.
      const records = ((await f.s.admin('/weiting/notices')).body.notices as Json[]).reverse();
      assert.deepEqual(
        records.map((n) => [n.openid, n.outcome]),
        [
          [openid, 'sent'],
          ['unsubscribed_user1', 'refused'],
          ['invalid_openid1', 'refused'],
          ['limited_user01', 'unavailable'],
          ['timeout_user01', 'unavailable'],
          ['garbage_user01', 'unavailable'],
        ],
      );
      assert.equal(records[0]!.appid, f.appid);
      assert.equal(records[0]!.msgid, message!.msgid);
      assert.deepEqual(records[0]!.fields, notice(openid, { url: 'https://partner.example.com/prize' }));
      assert.match(records[1]!.reason, /43004/);
      assert.match(records[2]!.reason, /40003/);
      assert.match(records[3]!.reason, /45009/);

      // A bad template id (the operator's setting): WeChat's 40037, the platform's side: 推送接口异常.
      await f.s.admin(`/wechat/official-accounts/${OA_APPID}`, { method: 'PATCH', body: { prizeTemplateId: 'bad-template' } });
      assert.deepEqual((await send(notice(openid))).body, down);
      assert.match(((await f.s.admin('/weiting/notices?limit=1')).body.notices[0] as Json).reason, /40037/);

      // Parameter errors: 发送失败 with errMsg naming the field; nothing sent or recorded.
      const before = (await f.s.admin('/weiting/notices?limit=500')).body.notices.length;
      for (const [fields, message] of [
        [{ ...notice(openid), first: '' }, /first is required/],
        [{ ...notice(openid), prize: undefined as unknown as string }, /prize is required/],
        [{ ...notice(openid), url: 'javascript:alert(1)' }, /url must be an http\(s\) URL/],
        [{ ...notice('bad openid') }, /openid must be/],
        [{ ...notice(openid), remark: 'x'.repeat(201) }, /remark is longer than 200/],
      ] as [Record<string, string>, RegExp][]) {
        const r = await send(Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)));
        assert.equal(r.body.status, 0);
        assert.equal(r.body.result, '发送失败');
        assert.match(r.body.errMsg, message);
      }
      assert.equal((await f.s.admin('/weiting/notices?limit=500')).body.notices.length, before);
    },
  );

  test(
    `weiting sendPrizeNotice: the per-openid daily limit, Idempotency-Key, one token refresh and retry on 40001/42001 (${backend})`,
    BOUNDED,
    async (t) => {
      const clock = new ManualClock(NOON_CST);
      const f = await weitingFixture(backend, { clock, env: { KAIFANG_WEITING_NOTICES_PER_OPENID_PER_DAY: '3' } });
      t.after(() => f.close());
      const token = await f.token();
      const send = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
        f.post('/service/1.0/sendPrizeNotice', { access_token: token }, { form: fields, headers });
      const openid = await f.openidOf('bob');

      // The same key: the first outcome, sent once, within 24 h, even at once.
      const keyed = () => send(notice(openid), { 'Idempotency-Key': 'notice-1' });
      const [a, b] = await Promise.all([keyed(), keyed()]);
      assert.deepEqual(a.body, { status: 200, result: '发送成功' });
      assert.deepEqual(b.body, a.body);
      assert.deepEqual((await keyed()).body, a.body);
      assert.equal((await f.inbox(openid)).length, 1);
      assert.equal(await f.tokenFetches(), 1, 'one official-account token so far');

      // WeChat ends the token early (42001): refreshed once, the send retried, no second notice.
      await fetch(`${f.s.url}/sandbox/wechat/expire-tokens?appid=${OA_APPID}`, { method: 'POST' });
      assert.deepEqual((await send(notice(openid))).body, { status: 200, result: '发送成功' });
      assert.equal(await f.tokenFetches(), 2);
      assert.equal((await f.inbox(openid)).length, 2);
      // WeChat no longer knows the token (40001): the same.
      await f.s.k.core.db.deleteFrom('sandbox_wechat_tokens').execute();
      assert.deepEqual((await send(notice(openid))).body, { status: 200, result: '发送成功' });
      assert.equal((await f.inbox(openid)).length, 3);

      // 3 a day for bob from this app: the 4th is refused and recorded as limited, nothing sent.
      assert.deepEqual((await send(notice(openid))).body, { status: 0, result: '发送失败' });
      const last = (await f.s.admin('/weiting/notices?limit=1')).body.notices[0] as Json;
      assert.equal(last.outcome, 'limited');
      assert.match(last.reason, /at most 3 notices per openid per day/);
      assert.equal((await f.inbox(openid)).length, 3);
      // Another openid is not limited; the next China day bob is not either.
      assert.deepEqual((await send(notice(await f.openidOf('carol')))).body, { status: 200, result: '发送成功' });
      clock.advance(12 * HOUR);
      assert.deepEqual((await f.post('/service/1.0/sendPrizeNotice', { access_token: await f.token() }, { form: notice(openid) })).body, {
        status: 200,
        result: '发送成功',
      });
      // The key after 24 h is a new notice.
      clock.advance(12 * HOUR + 1000);
      assert.deepEqual(
        (
          await f.post(
            '/service/1.0/sendPrizeNotice',
            { access_token: await f.token() },
            { form: notice(openid), headers: { 'Idempotency-Key': 'notice-1' } },
          )
        ).body,
        { status: 200, result: '发送成功' },
      );
      assert.equal((await f.inbox(openid)).length, 5);
    },
  );

  test(`weiting sendPrizeNotice without an official account: 推送接口异常 (${backend})`, BOUNDED, async (t) => {
    const f = await weitingFixture(backend, { officialAccount: false });
    t.after(() => f.close());
    const r = await f.post('/service/1.0/sendPrizeNotice', { access_token: await f.token() }, { form: notice('oSomeone0000001') });
    assert.deepEqual(r.body, { status: 40005, errMsg: '推送接口异常' });
    const base = await f.post('/service/wxoauth/2.0/getBaseUrl', { access_token: await f.token() }, { form: { state: `${f.s.url}/x` } });
    assert.deepEqual(base.body, { status: 40005, errMsg: '接口异常，请稍后再试' });
  });

  test(
    `weiting with the official account named by KAIFANG_WEITING_OFFICIAL_ACCOUNT switched off: 推送接口异常, not the caller's fault (${backend})`,
    BOUNDED,
    async (t) => {
      const f = await weitingFixture(backend, { env: { KAIFANG_WEITING_OFFICIAL_ACCOUNT: OA_APPID } });
      t.after(() => f.close());
      const token = await f.token();
      const send = () => f.post('/service/1.0/sendPrizeNotice', { access_token: token }, { form: notice('oSomeone0000001') });
      assert.deepEqual((await send()).body, { status: 200, result: '发送成功' });
      assert.equal((await f.s.admin(`/wechat/official-accounts/${OA_APPID}/disable`, { method: 'POST' })).status, 200);
      assert.deepEqual((await send()).body, { status: 40005, errMsg: '推送接口异常' });
    },
  );

  test(`weiting: the HTTP layer's refusals in the seed's shape (${backend})`, async (t) => {
    const f = await weitingFixture(backend);
    t.after(() => f.close());
    const token = await f.token();
    const wrongMethod = await fetch(`${f.s.url}/service/1.0/access/token?appid=${f.appid}&secret=${f.secret}`, { method: 'POST' });
    assert.equal(wrongMethod.status, 405);
    assert.deepEqual(await wrongMethod.json(), { status: 0, errMsg: 'HTTP POST is not served on /service/1.0/access/token; send GET' });
    const get = await fetch(`${f.s.url}/service/weekBind/create?access_token=${token}`);
    assert.equal(get.status, 405);
    assert.deepEqual(await get.json(), { status: 0, errMsg: 'HTTP GET is not served on /service/weekBind/create; send POST' });
    const unknown = await fetch(`${f.s.url}/service/1.0/nothing-here`);
    assert.equal(unknown.status, 404);
    const body = (await unknown.json()) as Json;
    assert.equal(body.status, 0);
    assert.match(body.errMsg, /nothing-here/);
    const big = await fetch(`${f.s.url}/service/weekBind/create?access_token=${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ openid: 'x'.repeat(2 * 1024 * 1024) }),
    });
    assert.equal(big.status, 413);
    const bigBody = (await big.json()) as Json;
    assert.equal(bigBody.status, 0);
    assert.match(bigBody.errMsg, /larger than/);
    const xml = await f.post('/service/weekBind/create', { access_token: token }, { raw: '<a/>', contentType: 'application/xml' });
    assert.equal(xml.body.status, 0);
    assert.match(xml.body.data ?? xml.body.errMsg, /content type "application\/xml" is not supported/);
  });
}
