import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ManualClock } from '../../src/kernel/clock.ts';
import { StoreposClient } from '../../src/fronts/storepos/client.ts';
import { REDACTED_FIELDS } from '../../src/server/logger.ts';
import { startServer } from '../helpers/server.ts';
import { expectCode, json, makeKey, postForm, signedParams, startUpstream } from '../../src/fronts/opretail/test/helpers.ts';
import { storeposFixture } from '../../src/fronts/storepos/test/helpers.ts';
import { weitingFixture } from '../../src/fronts/weiting/test/helpers.ts';

/**
 * Assertions that catch the small bugs a mutation run of the suite let through (issue 12): a
 * secret compared by prefix, a replay remembered too briefly, XML written without escaping, a
 * secret field dropped from redaction, and second, independent checks of rules only one test held.
 */

/** Values one edit away from `secret`: what a prefix, length or off-by-one comparison would wrongly accept. */
function nearMisses(secret: string): string[] {
  // Another character also when compared case-insensitively (hex signatures are).
  const flip = (c: string) => (c.toLowerCase() === 'a' ? 'b' : 'a');
  return [
    secret.slice(0, Math.ceil(secret.length / 2)),
    secret.slice(0, -1),
    secret + 'x',
    secret + secret,
    flip(secret[0]!) + secret.slice(1),
    secret.slice(0, -1) + flip(secret.at(-1)!),
    secret.slice(1),
  ];
}

test('the admin token: the exact token is let in, every near miss is 401', async (t) => {
  const s = await startServer();
  t.after(() => s.close());
  const call = (token: string) => fetch(`${s.url}/admin/api/weiting/apps`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal((await call(s.adminToken)).status, 200);
  for (const wrong of nearMisses(s.adminToken)) assert.equal((await call(wrong)).status, 401, `admin token ${JSON.stringify(wrong)}`);
  assert.equal((await call(s.adminToken.toUpperCase())).status, 401, 'the token is compared case-sensitively');
});

test('secrets of the fronts: a near miss of a 微厅 app secret or access token, a 万店掌 or 超赢 signature is refused', async (t) => {
  const f = await weitingFixture('sqlite');
  t.after(() => f.close());
  // The token first: after a few wrong secrets the address is slowed (one try a minute).
  const token = await f.token();
  for (const wrong of nearMisses(f.secret)) {
    const body = (await f.get('/service/1.0/access/token', { appid: f.appid, secret: wrong })).body;
    assert.equal(body.status, 40001, `secret ${wrong}: ${JSON.stringify(body)}`);
    assert.match(body.errMsg, /^appid 或 secret 错误/);
    assert.equal(body.data, undefined);
  }
  for (const wrong of nearMisses(token)) {
    assert.deepEqual(
      (await f.get('/service/1.0/user/info', { access_token: wrong, openid: 'oSomebody0001' })).body,
      { status: 0, errMsg: 'access_token校验异常' },
      `token ${wrong}`,
    );
  }

  const clock = new ManualClock(Date.parse('2026-03-01T04:00:00Z'));
  const s = await startServer({ clock });
  t.after(() => s.close());
  const key = await makeKey(s);
  const p = signedParams(key, clock.now());
  for (const wrong of nearMisses(p._sig!)) expectCode(await postForm(s.url, { ...p, _sig: wrong }), 7, 'SIGN_WRONG');
  expectCode(await postForm(s.url, p), 0, 'SUCCESS');

  const sp = await storeposFixture('sqlite');
  t.after(() => sp.close());
  const mobile = sp.mobile();
  const good = { agent_id: sp.agentId, pid: 'p', version: '1.0', mobile };
  const { independentSign } = await import('../../src/fronts/storepos/test/helpers.ts');
  const sign = independentSign(good, sp.key);
  for (const wrong of nearMisses(sign)) {
    const r = await sp.post('/Mch/GetMchSMSValid', { mobile }, { sign: wrong });
    assert.equal(`${r.state} ${r.code}`, 'FAIL 10002', `sign ${wrong}`);
  }
  assert.deepEqual(await sp.outbox(mobile), [], 'no SMS for a near-miss signature');
});

test('the replay memory lasts as long as the timestamp window, not a moment', async (t) => {
  const clock = new ManualClock(Date.parse('2026-03-01T04:00:00Z'));
  const s = await startServer({ clock });
  t.after(() => s.close());
  const key = await makeKey(s);
  const p = signedParams(key, clock.now());
  expectCode(await postForm(s.url, p), 0, 'SUCCESS');
  // Real time passes too: a memory of ~1.6 s would be gone by now.
  await new Promise((r) => setTimeout(r, 2000));
  expectCode(await postForm(s.url, p), -100, 'API_CALL_REPEAT');
  // Nine minutes 50 seconds later by the platform's clock, the timestamp is still inside the 600 s window: still a replay.
  clock.advance(590_000);
  expectCode(await postForm(s.url, p), -100, 'API_CALL_REPEAT');
  // Past the window it is refused for its age instead.
  clock.advance(11_000);
  expectCode(await postForm(s.url, p), 16, 'TIMESTAMP_OVERTIME');
});

test('XML replies escape what callers send: <, &, quotes, ]]> and characters beyond the BMP come back intact', async (t) => {
  const clock = new ManualClock(Date.parse('2026-03-01T04:00:00Z'));
  const s = await startServer({ clock });
  t.after(() => s.close());
  const key = await makeKey(s);
  const echo = await startUpstream((_req, body, res) => json(res, 200, JSON.parse(body || 'null')));
  t.after(() => echo.close());
  const method = await s.k.fronts.opretail.methods.create({
    name: 'echo.xml',
    version: 'v1',
    url: `${echo.url}/formal`,
    testUrl: `${echo.url}/test`,
  });
  await s.k.fronts.opretail.methods.grant(key.id, method);
  const nasty = 'a<b>&c;"d\'e]]>f</response>😀𠜎\u00a0g';
  const parser = new XMLParser({ parseTagValue: false, processEntities: true, htmlEntities: false });

  const r = await postForm(s.url, signedParams(key, clock.now(), { _mt: 'echo.xml', _version: 'v1', _format: 'xml', note: nasty }));
  assert.equal(r.status, 200);
  assert.equal(XMLValidator.validate(r.text), true, r.text);
  const doc = parser.parse(r.text).response;
  assert.equal(doc.stat.codename, 'SUCCESS', r.text);
  assert.equal(doc.data.note, nasty);

  // An error whose message quotes the caller's value.
  const unknown = await postForm(s.url, signedParams(key, clock.now(), { _mt: nasty, _format: 'xml' }));
  assert.equal(XMLValidator.validate(unknown.text), true, unknown.text);
  const e = parser.parse(unknown.text).response;
  // (the message quotes the name as JSON text, so the double quote comes back as \")
  for (const part of ['a<b>&c;', '\\"d\'e]]>f</response>😀𠜎']) assert.ok(String(e.result).includes(part), `${e.result} lacks ${part}`);
});

test('redaction covers the pinned list of secret-bearing field names', () => {
  // Written out here, not read from the logger: removing a name from the code fails this test.
  const pinned = [
    'authorization',
    'applicationSecret',
    'secret',
    'key',
    'appSecret',
    'agentKey',
    'session_key',
    'sessionKey',
    'sign',
    '_sig',
    'token',
    'access_token',
    'accessToken',
    'adminToken',
    'masterKey',
    'js_code',
    'smsCode',
    'oauthCode',
    'valid_code',
    'authCode',
    'password',
    'ticket',
  ];
  const missing = pinned.filter((name) => !REDACTED_FIELDS.includes(name));
  assert.deepEqual(missing, [], 'secret-bearing fields no longer redacted');
});

test('second assertions: timestamp age (16) before the signature (7), five wrong SMS checks, WeChat 40163 through the typed client', async (t) => {
  // 16 before 7, a second way: a GET with a stale timestamp and a wrong signature.
  const clock = new ManualClock(Date.parse('2026-03-01T04:00:00Z'));
  const s = await startServer({ clock });
  t.after(() => s.close());
  const key = await makeKey(s);
  const stale = signedParams(key, clock.now() - 700_000, { _sig: '0'.repeat(32) });
  const r = await fetch(`${s.url}/m.api?${new URLSearchParams(stale)}`);
  const body = (await r.json()) as { stat: { code: number } };
  assert.equal(body.stat.code, 16);

  // The SMS check's attempt limit through the typed client: five wrong, then the right code is refused.
  const f = await storeposFixture('sqlite');
  t.after(() => f.close());
  const client = new StoreposClient({ baseUrl: f.s.url, agentId: f.agentId, key: f.key });
  const mobile = f.mobile();
  assert.equal((await client.getMchSMSValid({ mobile })).code, '20');
  const [code] = await f.outbox(mobile);
  const wrong = code === '000000' ? '111111' : '000000';
  for (let i = 0; i < 5; i++) assert.equal((await client.checkMchSMSValid({ mobile, validCode: wrong })).code, '10004');
  const late = await client.checkMchSMSValid({ mobile, validCode: code! });
  assert.equal(`${late.state} ${late.code}`, 'SUCCESS 10004', 'a code is dead after five wrong checks');

  // WeChat 40163 (a js_code used twice) through the typed client: SUCCESS 10004 naming the errcode.
  const jsCode = `sandbox-twice-${Date.now()}`;
  assert.equal((await client.code2Session({ appid: f.appid, jsCode })).code, '10000');
  const again = await client.code2Session({ appid: f.appid, jsCode });
  assert.equal(`${again.state} ${again.code}`, 'SUCCESS 10004');
  assert.match(again.msg, /40163/);
});
