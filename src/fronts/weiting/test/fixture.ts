import assert from 'node:assert/strict';
import type { FrontFixture } from '../../../../test/helpers/frontFixtures.ts';

type Json = Record<string, any>;
type Creds = { appid: string; secret: string; token?: string };

/** 微厅 for the platform's tests: the official account, an app, a token, and a device bound with it. */
export const fixture: FrontFixture<Creds> = {
  async fill(s) {
    const ok = async (path: string, body?: unknown) => {
      const r = await s.admin(path, body === undefined ? {} : { body });
      assert.ok(r.status < 300, `${path}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body as Json;
    };
    await ok('/wechat/official-accounts', {
      appid: 'wx1b0d10b65d395395',
      secret: 'oa-secret-0123456789abcdef012345',
      prizeTemplateId: 'tpl',
    });
    const app = await ok('/weiting/apps', { name: 'partner' });
    const creds: Creds = { appid: app.appid as string, secret: app.secret as string };
    await fixture.callAgain(s.url, creds);
    // The token issued here must keep working on the copy.
    return { ...creds, token: creds.token! };
  },
  async callAgain(url, creds) {
    const got = (await (await fetch(`${url}/service/1.0/access/token?appid=${creds.appid}&secret=${creds.secret}`)).json()) as Json;
    assert.equal(got.status, 200, JSON.stringify(got));
    for (const token of [got.data as string, ...(creds.token ? [creds.token] : [])]) {
      const bind = await fetch(`${url}/service/weekBind/create?access_token=${token}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ openid: 'oCopyUser000001', deviceno: '17717463317', channel: '1', from: 'copy' }),
      });
      assert.deepEqual(await bind.json(), { data: 'success', status: 200, info: 0 });
    }
    creds.token ??= got.data as string;
  },
  filledTables: ['weiting_apps', 'weiting_users', 'weiting_bindings', 'wechat_official_accounts', 'bearer_tokens'],
};
