import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backendNames } from '../../../../test/helpers/backends.ts';
import { startServer } from '../../../../test/helpers/server.ts';
import { kaifang } from '../../../../test/cli/run.ts';
import { assertReply, independentSign, orderNo, paymentCode, SANDBOX_BRIDGE_SECRET, SANDBOX_WECHATPAY_KEY, type Reply } from './helpers.ts';

/** Operating the 巨彩 front: the admin API and the CLI over one store; secrets shown once or never. */

for (const backend of backendNames()) {
  test(`jucai admin API: ISVs, merchants, apps, channels, WeChat Pay merchants; bad input names the field (${backend})`, async (t) => {
    const s = await startServer({ backend });
    t.after(() => s.close());
    const isv = await s.admin('/jucai/isvs', { body: { name: 'ISV one', isvNo: 'ISV_I232767463' } });
    assert.equal(isv.status, 201);
    assert.deepEqual(Object.keys(isv.body), ['isvNo', 'name', 'status', 'createdAt', 'updatedAt']);
    assert.equal((await s.admin('/jucai/isvs', { body: { name: 'again', isvNo: 'ISV_I232767463' } })).status, 409);
    const generated = await s.admin('/jucai/isvs', { body: { name: 'made up' } });
    assert.match(generated.body.isvNo, /^ISV_I\d{9}$/);

    const mch = await s.admin('/jucai/merchants', {
      body: { isvNo: 'ISV_I232767463', name: 'shop', mchNo: 'MCH_I293975931', ratePerSecond: 10 },
    });
    assert.equal(mch.status, 201, JSON.stringify(mch.body));
    assert.equal(mch.body.ratePerSecond, 10);
    assert.equal((await s.admin('/jucai/merchants', { body: { isvNo: 'ISV_NOPE', name: 'x' } })).status, 404);

    // An existing app moves over with its secret as it is (even a short one, with a warning).
    const imported = await s.admin('/jucai/apps', { body: { mchNo: 'MCH_I293975931', appId: 'MCH_A698612520', secret: 'shortsecret' } });
    assert.equal(imported.status, 201, JSON.stringify(imported.body));
    assert.equal(imported.body.secret, 'shortsecret');
    assert.match(imported.body.warnings[0], /11 characters long/);
    const made = await s.admin('/jucai/apps', { body: { mchNo: 'MCH_I293975931' } });
    assert.match(made.body.appId, /^MCH_A\d{9}$/);
    assert.match(made.body.secret, /^[A-Za-z0-9]{32}$/);
    assert.equal(made.body.warnings, undefined);
    const shown = await s.admin(`/jucai/apps/${made.body.appId}`);
    assert.equal(shown.body.secret, undefined, 'a secret is shown only when made');
    assert.equal(shown.body.mchNo, 'MCH_I293975931');
    const listed = await s.admin('/jucai/apps');
    assert.ok(!JSON.stringify(listed.body).includes(made.body.secret));
    const rotated = await s.admin(`/jucai/apps/${made.body.appId}/rotate-secret`, { body: {} });
    assert.match(rotated.body.secret, /^[A-Za-z0-9]{32}$/);
    assert.notEqual(rotated.body.secret, made.body.secret);

    // WeChat Pay merchant: the key is never shown back; channels name it.
    const pay = await s.admin('/wechat/pay-merchants', {
      body: { mchId: '1900000109', appid: 'wxd930ea5d5a258f4f', key: SANDBOX_WECHATPAY_KEY },
    });
    assert.equal(pay.status, 201, JSON.stringify(pay.body));
    assert.ok(!JSON.stringify(pay.body).includes(SANDBOX_WECHATPAY_KEY));
    assert.equal(
      (await s.admin('/wechat/pay-merchants', { body: { mchId: '1900000111', appid: 'wxd930ea5d5a258f4f', key: 'short' } })).body.error
        .param,
      'key',
    );
    const badChannel = await s.admin('/jucai/merchants/MCH_I293975931/channels/WECHAT', {
      method: 'PUT',
      body: { wechatPayMchId: '1999999999' },
    });
    assert.equal(badChannel.status, 404);
    const wechat = await s.admin('/jucai/merchants/MCH_I293975931/channels/WECHAT', {
      method: 'PUT',
      body: { wechatPayMchId: '1900000109', subMchId: '1900000110' },
    });
    assert.equal(wechat.status, 200, JSON.stringify(wechat.body));
    assert.deepEqual(
      { ...wechat.body, updatedAt: '' },
      { wayCode: 'WECHAT', status: 'enabled', wechatPayMchId: '1900000109', subMchId: '1900000110', subAppid: null, updatedAt: '' },
    );
    const up = await s.admin('/jucai/merchants/MCH_I293975931/channels/UNIONPAY', {
      method: 'PUT',
      body: { bridgeUrl: 'https://bridge.example/uid', merchantNo: '898310048990001', secret: SANDBOX_BRIDGE_SECRET },
    });
    assert.equal(up.status, 200, JSON.stringify(up.body));
    assert.ok(!JSON.stringify(up.body).includes(SANDBOX_BRIDGE_SECRET), 'the bridge secret is never shown');
    for (const [body, param] of [
      [{ bridgeUrl: 'ftp://x', merchantNo: '1', secret: SANDBOX_BRIDGE_SECRET }, 'bridgeUrl'],
      [{ bridgeUrl: 'https://b.example', merchantNo: '1', secret: 'short' }, 'secret'],
      [{ bridgeUrl: 'https://b.example', merchantNo: '1', secret: SANDBOX_BRIDGE_SECRET, color: 'red' }, 'color'],
    ] as const) {
      const r = await s.admin('/jucai/merchants/MCH_I293975931/channels/UNIONPAY', { method: 'PUT', body });
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.equal(r.body.error.param, param);
    }
    assert.equal((await s.admin('/jucai/merchants/MCH_I293975931/channels/ALIPAY', { method: 'PUT', body: {} })).status, 400);
    const merchant = await s.admin('/jucai/merchants/MCH_I293975931');
    assert.deepEqual(
      merchant.body.channels.map((c: { wayCode: string }) => c.wayCode),
      ['UNIONPAY', 'WECHAT'],
    );

    // The imported app signs as before, with the seed's own field set.
    const fields = {
      appId: 'MCH_A698612520',
      authCode: paymentCode(),
      clientIp: '127.0.0.1',
      mchNo: 'MCH_I293975931',
      mchOrderNo: orderNo(),
      subAppid: '',
      termId: '12345678',
      version: '1.0',
      wayCode: 'WECHAT',
    };
    const res = await fetch(`${s.url}/pay/api/1.0/auth2OpenId`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...fields, sign: independentSign(fields, 'shortsecret') }),
    });
    const reply = (await res.json()) as Reply;
    assert.equal(reply.data?.returnCode, '000000', JSON.stringify(reply));
    assertReply(reply, 'shortsecret');

    // The OpenAPI document describes the front and its admin routes.
    const doc = (await (await fetch(`${s.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    for (const p of [
      '/pay/api/1.0/auth2OpenId',
      '/admin/api/jucai/merchants/{mchNo}/channels/{wayCode}',
      '/admin/api/jucai/apps',
      '/admin/api/wechat/pay-merchants',
    ])
      assert.ok(doc.paths[p], p);
  });
}

test('kaifang jucai …: the same operations from the CLI, --json, secrets read from stdin and never printed back', async (t) => {
  const s = await startServer();
  t.after(() => s.close());
  await s.k.close();
  const env = s.backend.env;
  const run = async (args: string[], stdin?: string) => {
    const r = await kaifang(env, [...args, '--json'], stdin);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  const isv = (await run(['jucai', 'isvs', 'create', '--name', 'cli ISV'])).json();
  const mch = (await run(['jucai', 'merchants', 'create', '--isv-no', isv.isvNo, '--name', 'cli shop', '--rate-per-second', '5'])).json();
  assert.equal(mch.ratePerSecond, 5);
  const imported = await run(
    ['jucai', 'apps', 'import', '--app-id', 'MCH_A000000777', '--mch-no', mch.mchNo, '--secret', '-'],
    'an-existing-app-secret\n',
  );
  assert.equal(imported.json().secret, undefined, 'an imported secret is not printed back');
  const pay = await run(
    ['wechat', 'pay-merchants', 'create', '--mch-id', '1900000222', '--appid', 'wxd930ea5d5a258f4f', '--key', '-'],
    `${SANDBOX_WECHATPAY_KEY}\n`,
  );
  assert.ok(!pay.stdout.includes(SANDBOX_WECHATPAY_KEY));
  await run(['jucai', 'channels', 'set', mch.mchNo, 'WECHAT', '--wechat-pay-mch-id', '1900000222']);
  const up = await run(
    ['jucai', 'channels', 'set', mch.mchNo, 'UNIONPAY', '--bridge-url', 'https://b.example/uid', '--merchant-no', '1234', '--secret', '-'],
    `${SANDBOX_BRIDGE_SECRET}\n`,
  );
  assert.ok(!up.stdout.includes(SANDBOX_BRIDGE_SECRET));
  const channels = (await run(['jucai', 'channels', 'list', mch.mchNo])).json();
  assert.deepEqual(
    channels.channels.map((c: { wayCode: string }) => c.wayCode),
    ['UNIONPAY', 'WECHAT'],
  );
  const signed = (
    await run([
      'jucai',
      'sign',
      'MCH_A000000777',
      `mchNo=${mch.mchNo}`,
      'wayCode=WECHAT',
      'authCode=134291427096188722',
      'mchOrderNo=CLI00001',
      'clientIp=127.0.0.1',
      'termId=88888888',
    ])
  ).json();
  const { sign, ...fields } = signed;
  assert.equal(sign, independentSign(fields, 'an-existing-app-secret'));
  const bad = await kaifang(env, ['jucai', 'merchants', 'create', '--isv-no', isv.isvNo, '--name', 'x', '--mch-no', 'nope']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /mchNo must be "MCH_".*\(--mch-no\)/);
});
