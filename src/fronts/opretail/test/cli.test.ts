import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backendNames, makeBackend } from '../../../../test/helpers/backends.ts';
import { startServer } from '../../../../test/helpers/server.ts';
import { kaifang } from '../../../../test/cli/run.ts';

/** One line on stderr, nothing on stdout, exit code 1. */
function assertFailed(r: { code: number | null; stdout: string; stderr: string }, message: RegExp): void {
  assert.equal(r.code, 1, `exit code (stdout: ${r.stdout}; stderr: ${r.stderr})`);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, `one line: ${r.stderr}`);
  assert.match(r.stderr.trimEnd(), message);
}

/*
 * The commands run the same core services as the admin API, whose suites cover both backends; a
 * CLI process costs about a second, so the command-by-command suites run on SQLite, and the test
 * that matters per backend (a CLI process and a server sharing one store) runs on each.
 */
{
  const backend = 'sqlite' as const;
  test(`kaifang opretail keys (${backend})`, async (t) => {
    const b = await makeBackend(backend);
    t.after(() => b.cleanup());
    const cli = (...args: string[]) => kaifang(b.env, args);
    assert.equal((await cli('migrate')).code, 0, 'an operator command needs a store: migrate makes one');
    let akey = '';

    await t.test('keys create --json prints the key with its secret', async () => {
      const r = await cli(
        'opretail',
        'keys',
        'create',
        '--username',
        'alice',
        '--enterprise-id',
        '42',
        '--expire',
        '2099-12-31 00:00:00',
        '--keytype',
        'test',
        '--developer-type',
        'vendor',
        '--rate-per-day',
        '500',
        '--json',
      );
      assert.equal(r.code, 0, r.stderr);
      const key = r.json();
      assert.match(key.applicationKey, /^S107-/);
      assert.match(key.secret, /^[\x21-\x7e]{32}$/);
      assert.equal(key.username, 'alice');
      assert.equal(key.enterpriseId, 42);
      assert.equal(key.applicationId, 'S107');
      assert.equal(key.keytype, 2);
      assert.equal(key.developerType, 3);
      assert.equal(key.expire, '2099-12-30T16:00:00.000Z');
      assert.equal(key.ifexpire, 3);
      assert.equal(key.switchStatus, '1');
      assert.equal(key.ratePerDay, 500);
      assert.equal(key.ratePerSecond, null);
      assert.equal(key.supplierAccount, null);
      akey = key.applicationKey;
    });

    await t.test('keys show: aligned human output without the secret; --json the same fields as the admin API', async () => {
      const human = await cli('opretail', 'keys', 'show', akey);
      assert.equal(human.code, 0, human.stderr);
      assert.match(human.stdout, new RegExp(`^applicationKey +${akey}$`, 'm'));
      assert.match(human.stdout, /^username +alice$/m);
      assert.match(human.stdout, /^keytype +2 test$/m);
      assert.match(human.stdout, /^expire +2099-12-31 00:00:00 CST$/m);
      assert.doesNotMatch(human.stdout, /^secret/m);
      // The values start in one column.
      const columns = new Set(
        human.stdout
          .trim()
          .split('\n')
          .map((l) => l.search(/(?<=\S {2,})\S/)),
      );
      assert.equal(columns.size, 1, human.stdout);

      const json = (await cli('opretail', 'keys', 'show', akey, '--json')).json();
      assert.equal(json.applicationKey, akey);
      assert.equal('secret' in json, false);
    });

    await t.test('keys import takes --key and --secret (or the secret on stdin); a second import fails', async () => {
      const r = await cli(
        'opretail',
        'keys',
        'import',
        '--key',
        'S107-old001',
        '--secret',
        'legacy-secret-0123456789',
        '--username',
        'bob',
        '--enterprise-id',
        '7',
        '--json',
      );
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.json().applicationKey, 'S107-old001');
      assert.equal(r.json().secret, 'legacy-secret-0123456789');
      assert.equal(r.json().ifexpire, 1);

      const stdin = await kaifang(
        b.env,
        ['opretail', 'keys', 'import', '--key', 'S107-old002', '--secret', '-', '--username', 'carol', '--enterprise-id', '8', '--json'],
        'piped-secret-0123456789\n',
      );
      assert.equal(stdin.code, 0, stdin.stderr);
      assert.equal(stdin.json().secret, 'piped-secret-0123456789');

      const again = await cli(
        'opretail',
        'keys',
        'import',
        '--key',
        'S107-old001',
        '--secret',
        'other-secret-0123456789',
        '--username',
        'bob',
        '--enterprise-id',
        '7',
      );
      assertFailed(again, /^kaifang: developer key S107-old001 already exists$/);
    });

    await t.test('keys list: a table, and --json with total', async () => {
      const human = await cli('opretail', 'keys', 'list');
      assert.equal(human.code, 0, human.stderr);
      const rows = human.stdout.trim().split('\n');
      assert.match(rows[0]!, /^KEY +ID +USERNAME +ENTERPRISE +TYPE +STATUS +EXPIRE \(CST\) +DEVELOPER$/);
      assert.match(rows[1]!, new RegExp(`^${akey} +1 +alice +42 +test +enabled +2099-12-31 00:00:00 +vendor$`));
      assert.match(rows[2]!, /^S107-old001 +2 +bob +7 +formal +enabled +never +normal$/);
      assert.equal(rows.at(-1), '(1–3 of 3)');
      assert.doesNotMatch(human.stdout, /secret/i);

      const json = (await cli('opretail', 'keys', 'list', '--limit', '1', '--offset', '1', '--json')).json();
      assert.equal(json.total, 3);
      assert.deepEqual(
        json.keys.map((k: { applicationKey: string }) => k.applicationKey),
        ['S107-old001'],
      );
    });

    await t.test('keys set / disable / enable / expire change the key', async () => {
      const set = (
        await cli(
          'opretail',
          'keys',
          'set',
          akey,
          '--username',
          'alice2',
          '--supplier-account',
          'acme',
          '--rate-per-day',
          'none',
          '--expire',
          'never',
          '--json',
        )
      ).json();
      assert.equal(set.username, 'alice2');
      assert.equal(set.supplierAccount, 'acme');
      assert.equal(set.ratePerDay, null);
      assert.equal(set.expire, null);
      assert.equal(set.ifexpire, 1);

      const off = (await cli('opretail', 'keys', 'disable', akey, '--json')).json();
      assert.equal(off.switchStatus, '2');
      const on = await cli('opretail', 'keys', 'enable', akey);
      assert.match(on.stdout, /^switchStatus +1 enabled$/m);

      const expired = (await cli('opretail', 'keys', 'expire', akey, '--json')).json();
      assert.equal(expired.ifexpire, 2);
      const later = (await cli('opretail', 'keys', 'expire', akey, '--at', '2030-01-01 00:00:00', '--json')).json();
      assert.equal(later.expire, '2029-12-31T16:00:00.000Z');
      assert.equal(later.ifexpire, 3);
      const never = (await cli('opretail', 'keys', 'expire', akey, '--never', '--json')).json();
      assert.equal(never.expire, null);
    });

    await t.test('keys rotate-secret prints the new secret once', async () => {
      const human = await cli('opretail', 'keys', 'rotate-secret', akey);
      assert.equal(human.code, 0, human.stderr);
      const secret = /^secret +(\S+)$/m.exec(human.stdout)?.[1];
      assert.match(secret ?? '', /^[\x21-\x7e]{32}$/);
      assert.match(human.stdout, /shown only this once/);
      const chosen = (await cli('opretail', 'keys', 'rotate-secret', akey, '--secret', 'chosen-secret-0123456789', '--json')).json();
      assert.equal(chosen.secret, 'chosen-secret-0123456789');
      assert.doesNotMatch((await cli('opretail', 'keys', 'show', akey)).stdout, /chosen-secret/);
    });

    await t.test('errors: one line on stderr naming the problem, exit code 1', async () => {
      assertFailed(await cli('opretail', 'keys', 'show', 'S107-nobody'), /^kaifang: no developer key S107-nobody$/);
      assertFailed(await cli('opretail', 'keys', 'create', '--username', 'x'), /--enterprise-id/);
      assertFailed(await cli('opretail', 'keys', 'create', '--username', 'x', '--enterprise-id', 'seven'), /--enterprise-id.*whole number/);
      assertFailed(
        await cli('opretail', 'keys', 'create', '--username', 'x', '--enterprise-id', '0'),
        /enterpriseId must be a whole number from 1 to \d+ \(--enterprise-id\)/,
      );
      assertFailed(
        await cli('opretail', 'keys', 'create', '--username', 'x', '--enterprise-id', '1', '--expire', 'next week'),
        /China Standard Time.*got "next week" \(--expire\)/,
      );
      assertFailed(
        await cli('opretail', 'keys', 'create', '--username', 'x', '--enterprise-id', '1', '--keytype', 'gold'),
        /--keytype.*formal, test/,
      );
      assertFailed(
        await cli('opretail', 'keys', 'import', '--username', 'x', '--enterprise-id', '1', '--key', 'S107-x', '--secret', 'has space'),
        /applicationSecret.*\(--secret\)/,
      );
      assertFailed(await cli('opretail', 'keys', 'set', akey), /nothing to change/);
      assertFailed(await cli('opretail', 'keys', 'disable', 'S107-nobody', '--json'), /no developer key S107-nobody/);
      assertFailed(await cli('opretail', 'keys', 'frobnicate'), /unknown command 'frobnicate'/);
      // Nothing above created a key.
      assert.equal((await cli('opretail', 'keys', 'list', '--json')).json().total, 3);
    });
  });

  test(`kaifang opretail methods and grants (${backend})`, async (t) => {
    const b = await makeBackend(backend);
    t.after(() => b.cleanup());
    const cli = (...args: string[]) => kaifang(b.env, args);
    assert.equal((await cli('migrate')).code, 0, 'an operator command needs a store: migrate makes one');

    const created = await cli(
      'opretail',
      'methods',
      'create',
      'shop.order.list',
      'v1',
      '--url',
      'http://127.0.0.1:9/orders',
      '--test-url',
      'http://127.0.0.1:9/test',
      '--timeout-ms',
      '3000',
      '--description',
      'orders',
      '--json',
    );
    assert.equal(created.code, 0, created.stderr);
    const m = created.json();
    assert.equal(m.name, 'shop.order.list');
    assert.equal(m.version, 'v1');
    assert.equal(m.url, 'http://127.0.0.1:9/orders');
    assert.equal(m.testUrl, 'http://127.0.0.1:9/test');
    assert.equal(m.timeoutMs, 3000);
    assert.equal(m.status, 'enabled');
    assert.equal(m.description, 'orders');

    assertFailed(await cli('opretail', 'methods', 'create', 'shop.order.list', 'v1', '--url', 'http://x'), /already registered/);
    assertFailed(await cli('opretail', 'methods', 'create', 'a', 'v1', '--url', 'ftp://x'), /url must be an http or https URL \(--url\)/);
    assertFailed(await cli('opretail', 'methods', 'show', 'nope', 'v1'), /no method nope v1/);

    const list = await cli('opretail', 'methods', 'list');
    const rows = list.stdout.trim().split('\n');
    assert.match(rows[0]!, /^NAME +VERSION +STATUS +URL +TEST URL$/);
    assert.match(rows[1]!, /^shop\.order\.list +v1 +enabled +http:\/\/127\.0\.0\.1:9\/orders +http:\/\/127\.0\.0\.1:9\/test$/);
    assert.equal((await cli('opretail', 'methods', 'list', '--json')).json().methods.length, 1);

    const updated = (
      await cli('opretail', 'methods', 'update', 'shop.order.list', 'v1', '--test-url', 'none', '--rate-per-second', '7', '--json')
    ).json();
    assert.equal(updated.testUrl, null);
    assert.equal(updated.ratePerSecond, 7);
    assert.equal(updated.timeoutMs, 3000);
    assert.equal((await cli('opretail', 'methods', 'disable', 'shop.order.list', 'v1', '--json')).json().status, 'disabled');
    const shown = await cli('opretail', 'methods', 'show', 'shop.order.list', 'v1');
    assert.match(shown.stdout, /^status +disabled$/m);
    assert.match(shown.stdout, /^testUrl +-$/m);
    assert.equal((await cli('opretail', 'methods', 'enable', 'shop.order.list', 'v1', '--json')).json().status, 'enabled');

    const akey = (await cli('opretail', 'keys', 'create', '--username', 'dev', '--enterprise-id', '5', '--json')).json()
      .applicationKey as string;
    const granted = await cli('opretail', 'keys', 'grant', akey, 'shop.order.list', 'v1', '--json');
    assert.equal(granted.code, 0, granted.stderr);
    assert.deepEqual(
      granted.json().grants.map((g: { name: string }) => g.name),
      ['shop.order.list'],
    );
    const grants = await cli('opretail', 'keys', 'grants', akey);
    assert.match(grants.stdout, /may call the built-in methods and:/);
    assert.match(grants.stdout, /^shop\.order\.list +v1 +enabled/m);
    assertFailed(await cli('opretail', 'keys', 'grant', akey, 'shop.order.list', 'v2'), /no method shop\.order\.list v2/);
    assertFailed(await cli('opretail', 'keys', 'grant', akey, 'open.gateway.authentication', 'v1'), /built in/);
    const revoked = (await cli('opretail', 'keys', 'revoke', akey, 'shop.order.list', 'v1', '--json')).json();
    assert.deepEqual(revoked.grants, []);
    assert.match((await cli('opretail', 'keys', 'grants', akey)).stdout, /built-in methods only/);
  });
}

for (const backend of backendNames()) {
  test(`a CLI command on a running server's database is seen through the admin API (${backend})`, async (t) => {
    const s = await startServer({ backend });
    t.after(() => s.close());
    const cli = (...args: string[]) => kaifang(s.backend.env, args);

    const created = await cli(
      'opretail',
      'keys',
      'import',
      '--key',
      'S107-shared1',
      '--secret',
      'shared-secret-0123456789',
      '--username',
      'dana',
      '--enterprise-id',
      '11',
      '--json',
    );
    assert.equal(created.code, 0, created.stderr);
    const seen = await s.admin('/opretail/keys/S107-shared1');
    assert.equal(seen.status, 200);
    assert.equal(seen.body.username, 'dana');
    assert.equal(seen.body.switchStatus, '1');
    assert.equal((await s.k.fronts.opretail.keys.findForSigning('S107-shared1'))?.applicationSecret, 'shared-secret-0123456789');

    assert.equal((await cli('opretail', 'keys', 'disable', 'S107-shared1')).code, 0);
    assert.equal((await s.admin('/opretail/keys/S107-shared1')).body.switchStatus, '2');

    // And the other way: the admin API's method is listed by the CLI.
    assert.equal(
      (await s.admin('/opretail/methods', { body: { name: 'crm.member.get', version: 'v2', url: 'http://127.0.0.1:9/m' } })).status,
      201,
    );
    const methods = (await cli('opretail', 'methods', 'list', '--json')).json();
    assert.deepEqual(
      methods.methods.map((m: { name: string; version: string }) => `${m.name} ${m.version}`),
      ['crm.member.get v2'],
    );
  });
}
