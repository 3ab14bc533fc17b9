import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StoreposClient, StoreposReplySignatureError } from '../client.ts';
import { backendNames } from '../../../../test/helpers/backends.ts';
import { assertSigned, storeposFixture, type Reply } from './helpers.ts';

const SMS = '/Mch/GetMchSMSValid';
const CHECK = '/Mch/CheckMchSMSValid';
const LOGIN = '/Open/WXA_Code2Session';

function expect(reply: Reply, state: string, code: string, msg?: RegExp | string): void {
  assert.equal(reply.state, state, JSON.stringify(reply));
  assert.equal(reply.code, code, JSON.stringify(reply));
  if (typeof msg === 'string') assert.equal(reply.msg, msg);
  else if (msg) assert.match(reply.msg, msg);
}

for (const backend of backendNames()) {
  test(`storepos SMS codes: send, check, use once, replace, destroy (${backend})`, async (t) => {
    const f = await storeposFixture(backend);
    t.after(() => f.close());
    const client = new StoreposClient({ baseUrl: f.s.url, agentId: f.agentId, key: f.key, pid: 'yunpos' });

    // Send through the typed client: SUCCESS, code = validity in minutes, exact fields.
    const mobile = f.mobile();
    const sent = await client.getMchSMSValid({ mobile });
    assert.deepEqual(Object.keys(sent), ['state', 'code', 'msg', 'sign']);
    expect(sent, 'SUCCESS', '20', '短信验证码已发送');
    assertSigned(sent, f.key);
    const [code] = await f.outbox(mobile);
    assert.match(code!, /^\d{6}$/);

    // A wrong code, then the right one (raw fetch), then the right one again: used.
    const wrong = code === '000000' ? '111111' : '000000';
    const bad = await f.post(CHECK, { mobile, valid_code: wrong });
    expect(bad, 'SUCCESS', '10004', '验证码错误或已过期');
    assertSigned(bad, f.key);
    const good = await f.post(CHECK, { mobile, valid_code: code! });
    expect(good, 'SUCCESS', '10000');
    assert.deepEqual(Object.keys(good), ['state', 'code', 'msg', 'sign']);
    assertSigned(good, f.key);
    const again = await client.checkMchSMSValid({ mobile, validCode: code! });
    expect(again, 'SUCCESS', '10004', '验证码错误或已过期');
    assertSigned(again, f.key);

    // Within the interval: FAIL 10008 saying how long to wait, and nothing sent.
    const soon = await f.post(SMS, { mobile });
    expect(soon, 'FAIL', '10008', /wait \d+ s/);
    assertSigned(soon, f.key);
    assert.equal((await f.outbox(mobile)).length, 1);

    // Five wrong checks destroy a code: the right one is refused after them.
    const m2 = f.mobile();
    expect(await f.post(SMS, { mobile: m2 }, { json: true }), 'SUCCESS', '20');
    const [code2] = await f.outbox(m2);
    const wrong2 = code2 === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) expect(await f.post(CHECK, { mobile: m2, valid_code: wrong2 }), 'SUCCESS', '10004');
    expect(await f.post(CHECK, { mobile: m2, valid_code: code2! }), 'SUCCESS', '10004');

    // Four wrong checks do not: the fifth check, correct, succeeds.
    const m3 = f.mobile();
    expect(await f.post(SMS, { mobile: m3 }), 'SUCCESS', '20');
    const [code3] = await f.outbox(m3);
    const wrong3 = code3 === '000000' ? '111111' : '000000';
    for (let i = 0; i < 4; i++) expect(await f.post(CHECK, { mobile: m3, valid_code: wrong3 }), 'SUCCESS', '10004');
    expect(await f.post(CHECK, { mobile: m3, valid_code: code3! }, { json: true }), 'SUCCESS', '10000');

    // Codes belong to the agent that asked for them.
    const other = await f.s.admin('/storepos/agents', { body: { name: 'other agent' } });
    const m4 = f.mobile();
    expect(await f.post(SMS, { mobile: m4 }), 'SUCCESS', '20');
    const [code4] = await f.outbox(m4);
    const foreign = await f.post(CHECK, { mobile: m4, valid_code: code4! }, { agentId: other.body.agentId, key: other.body.secret });
    expect(foreign, 'SUCCESS', '10004');
    assertSigned(foreign, other.body.secret);
    expect(await f.post(CHECK, { mobile: m4, valid_code: code4! }), 'SUCCESS', '10000');
  });

  test(`storepos SMS limits and provider failures (${backend})`, async (t) => {
    const f = await storeposFixture(backend, {
      KAIFANG_STOREPOS_SMS_INTERVAL_S: '1',
      KAIFANG_STOREPOS_SMS_PER_MOBILE_PER_DAY: '2',
      KAIFANG_STOREPOS_SMS_VALID_MINUTES: '5',
    });
    t.after(() => f.close());
    const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

    // A new send replaces the previous code; the validity follows the setting.
    const mobile = f.mobile();
    expect(await f.post(SMS, { mobile }), 'SUCCESS', '5');
    await wait(1100);
    expect(await f.post(SMS, { mobile }), 'SUCCESS', '5');
    const [newer, older] = await f.outbox(mobile);
    if (newer !== older) expect(await f.post(CHECK, { mobile, valid_code: older! }), 'SUCCESS', '10004');
    expect(await f.post(CHECK, { mobile, valid_code: newer! }), 'SUCCESS', '10000');

    // Per mobile per day: the third send of the day is refused until tomorrow.
    await wait(1100);
    const third = await f.post(SMS, { mobile });
    expect(third, 'FAIL', '10008', /per mobile per day.*wait \d+ s/);
    assertSigned(third, f.key);
    assert.equal((await f.outbox(mobile)).length, 2);

    // Per agent per day: two sent so far; with a cap of 3 the second new mobile is refused, and
    // that refusal takes no other slot: once the cap is lifted, the same mobile is served at once.
    const capped = await f.s.admin(`/storepos/agents/${f.agentId}`, { method: 'PATCH', body: { smsDailyCap: 3 } });
    assert.equal(capped.status, 200);
    assert.equal(capped.body.smsDailyCap, 3);
    const ma = f.mobile();
    const mb = f.mobile();
    expect(await f.post(SMS, { mobile: ma }), 'SUCCESS', '5');
    const over = await f.post(SMS, { mobile: mb });
    expect(over, 'FAIL', '10008', /daily SMS cap \(3\)/);
    assertSigned(over, f.key);
    assert.deepEqual(await f.outbox(mb), []);
    await f.s.admin(`/storepos/agents/${f.agentId}`, { method: 'PATCH', body: { smsDailyCap: null } });
    expect(await f.post(SMS, { mobile: mb }), 'SUCCESS', '5');
    assert.equal((await f.outbox(mb)).length, 1);

    // The provider refuses, times out, or is down: the request was processed, SUCCESS 10006.
    const refused = await f.post(SMS, { mobile: '13900000001' });
    expect(refused, 'SUCCESS', '10006', /短信服务商拒绝发送: REJECTED/);
    assertSigned(refused, f.key);
    const timeout = await f.post(SMS, { mobile: '13900000002' });
    expect(timeout, 'SUCCESS', '10006', /短信服务商暂时不可用/);
    assertSigned(timeout, f.key);
    const down = await f.post(SMS, { mobile: '13900000003' });
    expect(down, 'SUCCESS', '10006');
    assertSigned(down, f.key);
    // No code for the refused number can be checked: nothing was delivered.
    expect(await f.post(CHECK, { mobile: '13900000001', valid_code: '123456' }), 'SUCCESS', '10004');
  });

  test(`storepos WXA_Code2Session: success and every WeChat error (${backend})`, async (t) => {
    const f = await storeposFixture(backend);
    t.after(() => f.close());
    const client = new StoreposClient({ baseUrl: f.s.url, agentId: f.agentId, key: f.key });
    const login = (js_code: string, appid = f.appid) => f.post(LOGIN, { appid, js_code });

    const ok = await client.code2Session({ appid: f.appid, jsCode: 'sandbox-alice-1' });
    assert.deepEqual(Object.keys(ok), ['state', 'code', 'msg', 'openid', 'session_key', 'expires_in', 'sign']);
    expect(ok, 'SUCCESS', '10000', 'SUCCESS');
    assert.match(ok.openid!, /^o[\w-]{27}$/);
    assert.equal(typeof ok.session_key, 'string');
    assert.ok(ok.session_key!.length > 0);
    assert.equal(ok.expires_in, 7200);
    assertSigned(ok, f.key);

    // Same user, same openid; a user starting with u has a unionid.
    const again = await login('sandbox-alice-2');
    assert.equal(again.openid, ok.openid);
    assertSigned(again, f.key);
    const withUnion = await login('sandbox-ubob-1');
    expect(withUnion, 'SUCCESS', '10000');
    assert.match(String(withUnion.unionid), /^o[\w-]{27}$/);
    assert.deepEqual(Object.keys(withUnion), ['state', 'code', 'msg', 'openid', 'session_key', 'expires_in', 'unionid', 'sign']);
    assertSigned(withUnion, f.key);

    const cases: [string, string, RegExp][] = [
      ['sandbox-alice-1', '10004', /errcode=40163/],
      ['invalid', '10004', /errcode=40029/],
      ['sandbox-risky-1', '10004', /errcode=40226/],
      ['sandbox-freq-1', '10008', /errcode=45011/],
      ['sandbox-busy-1', '10006', /errcode=-1/],
      ['sandbox-timeout-1', '10006', /微信暂时不可用/],
      ['sandbox-garbage-1', '10006', /微信暂时不可用/],
      ['sandbox-unavailable-1', '10006', /微信暂时不可用/],
    ];
    for (const [code, expected, msg] of cases) {
      const r = await login(code);
      expect(r, 'SUCCESS', expected, msg);
      assert.deepEqual(Object.keys(r), ['state', 'code', 'msg', 'sign'], code);
      assertSigned(r, f.key);
    }

    // Unknown, not granted, revoked or disabled appid: FAIL 10004 naming appid.
    const unknown = await login('sandbox-alice-3', 'wx0000000000000000');
    expect(unknown, 'FAIL', '10004', /appid/);
    assertSigned(unknown, f.key);
    const other = await f.s.admin('/wechat/miniapps', { body: { appid: 'wx1111111111111111', secret: 'another-secret' } });
    assert.equal(other.status, 201);
    expect(await login('sandbox-alice-4', 'wx1111111111111111'), 'FAIL', '10004', /appid/);
    await f.s.admin(`/storepos/agents/${f.agentId}/grants/wx1111111111111111`, { method: 'PUT' });
    expect(await login('sandbox-alice-5', 'wx1111111111111111'), 'SUCCESS', '10000');
    await f.s.admin(`/wechat/miniapps/wx1111111111111111/disable`, { method: 'POST' });
    expect(await login('sandbox-alice-6', 'wx1111111111111111'), 'FAIL', '10004', /appid/);
    await f.s.admin(`/storepos/agents/${f.agentId}/grants/${f.appid}`, { method: 'DELETE' });
    expect(await login('sandbox-alice-7'), 'FAIL', '10004', /appid/);
    expect(await login('sandbox-alice-8', ''), 'FAIL', '10004', /appid/);
    expect(await login(''), 'FAIL', '10004', /js_code/);
  });

  test(`storepos request-level failures: parameters, agent, version, signature (${backend})`, async (t) => {
    const f = await storeposFixture(backend);
    t.after(() => f.close());
    const mobile = f.mobile();

    // Each common parameter missing or empty → FAIL 10004 naming it; still signed (agent known).
    for (const name of ['pid', 'version']) {
      const fields: Record<string, string> = { agent_id: f.agentId, pid: 'p', version: '1.0', sign: 'X', mobile };
      delete fields[name];
      const res = await fetch(f.s.url + SMS, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      });
      const r = (await res.json()) as Reply;
      expect(r, 'FAIL', '10004', new RegExp(`missing or empty parameter: ${name}`));
      assertSigned(r, f.key);
      const empty = (await (
        await fetch(f.s.url + SMS, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ ...fields, [name]: '' }).toString(),
        })
      ).json()) as Reply;
      expect(empty, 'FAIL', '10004', new RegExp(name));
    }
    // A missing or empty sign is a signature error (storepos.md's table), 10002, naming it.
    for (const sign of [undefined, '']) {
      const fields: Record<string, string> = {
        agent_id: f.agentId,
        pid: 'p',
        version: '1.0',
        mobile,
        ...(sign === undefined ? {} : { sign }),
      };
      const r = (await (
        await fetch(f.s.url + SMS, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(fields).toString(),
        })
      ).json()) as Reply;
      expect(r, 'FAIL', '10002', /sign is missing or empty/);
      assertSigned(r, f.key);
    }
    const noAgent = (await (
      await fetch(f.s.url + SMS, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `pid=p&version=1.0&sign=X&mobile=${mobile}`,
      })
    ).json()) as Reply;
    expect(noAgent, 'FAIL', '10004', /agent_id/);
    assertSigned(noAgent, null);
    const nothing = (await (await fetch(f.s.url + SMS, { method: 'POST' })).json()) as Reply;
    expect(nothing, 'FAIL', '10004', /agent_id, pid, version/);
    assertSigned(nothing, null);

    // Unknown agent → 10005 with an empty sign; disabled agent → 10005 signed.
    const unknown = await f.post(SMS, { mobile }, { agentId: '19999999999999999' });
    expect(unknown, 'FAIL', '10005', /agent_id/);
    assertSigned(unknown, null);
    const odd = await f.post(SMS, { mobile }, { agentId: 'abc' });
    expect(odd, 'FAIL', '10005');
    assertSigned(odd, null);
    const other = await f.s.admin('/storepos/agents', { body: { name: 'to disable' } });
    await f.s.admin(`/storepos/agents/${other.body.agentId}/disable`, { method: 'POST' });
    const disabled = await f.post(SMS, { mobile }, { agentId: other.body.agentId, key: other.body.secret });
    expect(disabled, 'FAIL', '10005', /disabled/);
    assertSigned(disabled, other.body.secret);

    // Version below the minimum → VER (before the signature is looked at); malformed → 10004.
    const ver = await f.post(SMS, { mobile }, { version: '0.9', sign: 'WRONG' });
    expect(ver, 'VER', '10004', /0\.9 is below 1\.0/);
    assertSigned(ver, f.key);
    expect(await f.post(SMS, { mobile }, { version: 'v1' }), 'FAIL', '10004', /version/);
    const newer = f.mobile();
    expect(await f.post(SMS, { mobile: newer }, { version: '1.10' }), 'SUCCESS', '20');

    // Signature: wrong → 10002 (the sandbox shows the string to sign, key masked); lower case and
    // added unknown parameters are fine.
    const wrong = await f.post(SMS, { mobile }, { sign: '0'.repeat(32) });
    expect(wrong, 'FAIL', '10002', /sign is wrong; expected MD5 of: agent_id=.*&key=<secret>$/);
    assert.ok(!wrong.msg.includes(f.key));
    assertSigned(wrong, f.key);
    expect(await f.post(SMS, { mobile }, { key: 'another-key-entirely-000000000000' }), 'FAIL', '10002');
    const lower = f.mobile();
    const fields = { agent_id: f.agentId, pid: 'p', version: '1.0', mobile: lower, extra: '中文 & = +', empty: '' };
    const { independentSign } = await import('./helpers.ts');
    expect(
      await f.post(
        SMS,
        { mobile: lower, extra: '中文 & = +', empty: '' },
        { sign: independentSign({ ...fields, pid: 'kaifang-test' }, f.key).toLowerCase() },
      ),
      'SUCCESS',
      '20',
    );

    // Business parameters, checked after the signature.
    for (const bad of [
      '',
      '1380000000',
      '138000000000',
      '12800000000',
      '+8613800000000',
      '1380000000a',
      ' 13800000000',
      '１３８００００００００',
    ]) {
      const r = await f.post(SMS, { mobile: bad });
      expect(r, 'FAIL', '10004', /mobile/);
      assertSigned(r, f.key);
    }
    for (const bad of ['', '12345', '1234567', 'abcdef']) {
      expect(await f.post(CHECK, { mobile, valid_code: bad }), 'FAIL', '10004', /valid_code/);
    }
    expect(await f.post(CHECK, { valid_code: '123456' }), 'FAIL', '10004', /mobile/);

    // Unreadable bodies: non-UTF-8, bad escapes, repeated names, nested JSON, other content types.
    const raw = async (body: string | Uint8Array, type: string) => {
      const res = await fetch(f.s.url + SMS, {
        method: 'POST',
        headers: { 'content-type': type },
        body: typeof body === 'string' ? body : new Uint8Array(body),
      });
      assert.equal(res.status, 200);
      return (await res.json()) as Reply;
    };
    const base = `agent_id=${f.agentId}&pid=p&version=1.0&sign=X`;
    expect(
      await raw(Buffer.concat([Buffer.from(base + '&mobile='), Buffer.from([0xff, 0xfe])]), 'application/x-www-form-urlencoded'),
      'FAIL',
      '10004',
      /UTF-8/,
    );
    expect(await raw(base + '&mobile=%FF', 'application/x-www-form-urlencoded'), 'FAIL', '10004', /mobile.*UTF-8/);
    expect(await raw(base + '&mobile=%G1', 'application/x-www-form-urlencoded'), 'FAIL', '10004', /percent-escape/);
    expect(
      await raw(base + `&mobile=${mobile}&mobile=${mobile}`, 'application/x-www-form-urlencoded'),
      'FAIL',
      '10004',
      /"mobile" is sent more than once/,
    );
    expect(
      await raw(JSON.stringify({ agent_id: f.agentId, pid: 'p', version: '1.0', sign: 'X', mobile: { n: 1 } }), 'application/json'),
      'FAIL',
      '10004',
      /"mobile" must be a string/,
    );
    expect(await raw('[1,2]', 'application/json'), 'FAIL', '10004', /flat object/);
    expect(await raw('{"agent_id":', 'application/json'), 'FAIL', '10004', /JSON/);
    expect(await raw(Buffer.from([0x7b, 0xff, 0x7d]), 'application/json'), 'FAIL', '10004', /UTF-8/);
    expect(await raw('<xml/>', 'text/xml'), 'FAIL', '10004', /content type/);
    const get = await fetch(f.s.url + SMS);
    assert.equal(get.status, 405);
    expect((await get.json()) as Reply, 'FAIL', '10004', /POST/);

    // None of that sent anything or took any limit: the mobile is served at once.
    assert.deepEqual(await f.outbox(mobile), []);
    expect(await f.post(SMS, { mobile }), 'SUCCESS', '20');
    assert.equal((await f.outbox(mobile)).length, 1);
  });

  test(`storepos: 100 concurrent correct checks succeed exactly once (${backend})`, async (t) => {
    const f = await storeposFixture(backend);
    t.after(() => f.close());
    const mobile = f.mobile();
    expect(await f.post(SMS, { mobile }), 'SUCCESS', '20');
    const [code] = await f.outbox(mobile);
    const replies = await Promise.all(Array.from({ length: 100 }, () => f.post(CHECK, { mobile, valid_code: code! })));
    for (const r of replies) assertSigned(r, f.key);
    assert.equal(replies.filter((r) => r.code === '10000').length, 1);
    assert.equal(replies.filter((r) => r.state === 'SUCCESS' && r.code === '10004').length, 99);
  });

  test(`storepos: key rotation, client signature checks, system error (${backend})`, async (t) => {
    const f = await storeposFixture(backend);
    t.after(() => f.close());
    const rotated = await f.s.admin(`/storepos/agents/${f.agentId}/rotate-secret`, { method: 'POST' });
    assert.equal(rotated.status, 200);
    const newKey: string = rotated.body.secret;
    assert.match(newKey, /^[A-Za-z0-9]{32}$/);
    assert.notEqual(newKey, f.key);
    // The old key no longer signs; the reply is signed with the new one.
    const old = await f.post(SMS, { mobile: f.mobile() });
    expect(old, 'FAIL', '10002');
    assertSigned(old, newKey);
    expect(await f.post(SMS, { mobile: f.mobile() }, { key: newKey }), 'SUCCESS', '20');
    const show = await f.s.admin(`/storepos/agents/${f.agentId}`);
    assert.equal(show.body.secret, undefined, 'the key is shown only once');

    // A client holding the old key rejects the (new-key-signed) reply.
    const stale = new StoreposClient({ baseUrl: f.s.url, agentId: f.agentId, key: f.key });
    // The error carries the server's own answer: FAIL 10002, i.e. the client's key is wrong.
    await assert.rejects(stale.getMchSMSValid({ mobile: f.mobile() }), (err: StoreposReplySignatureError) => {
      assert.ok(err instanceof StoreposReplySignatureError);
      assert.equal(err.reply.code, '10002');
      assert.match(err.message, /answered FAIL 10002 \(sign is wrong.*agent key given to the client is most likely wrong/);
      return true;
    });
    // A forged reply is rejected too; an unsigned 10005 is accepted.
    const forged = new StoreposClient({
      baseUrl: 'http://forged.invalid',
      agentId: f.agentId,
      key: newKey,
      fetch: async () => new Response(JSON.stringify({ state: 'SUCCESS', code: '10000', msg: 'SUCCESS', openid: 'x', sign: 'ABC' })),
    });
    await assert.rejects(forged.code2Session({ appid: f.appid, jsCode: 'x' }), StoreposReplySignatureError);
    const unknown = new StoreposClient({ baseUrl: f.s.url, agentId: '10000000000000001', key: newKey });
    const r = await unknown.getMchSMSValid({ mobile: f.mobile() });
    expect(r, 'FAIL', '10005');

    // An unexpected failure inside the platform → FAIL 10006, signed, naming the request id.
    const sms = f.s.k.fronts.storepos.sms;
    const original = sms.send;
    sms.send = async () => {
      throw new Error('boom');
    };
    t.after(() => {
      sms.send = original;
    });
    const broken = await f.post(SMS, { mobile: f.mobile() }, { key: newKey });
    expect(broken, 'FAIL', '10006', /request id/);
    assert.ok(!broken.msg.includes('boom'));
    assertSigned(broken, newKey);

    // Every call is in the call log with the agent and outcome, never a code or key.
    const calls = await f.s.admin(`/calls?front=storepos&credential=${f.agentId}`);
    assert.ok(calls.body.calls.length >= 3);
    assert.ok(calls.body.calls.some((c: { outcome: string }) => c.outcome === 'FAIL:10002'));
    assert.ok(!JSON.stringify(calls.body).includes(newKey));
  });
}
