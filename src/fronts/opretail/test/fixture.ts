import assert from 'node:assert/strict';
import type { FrontFixture } from '../../../../test/helpers/frontFixtures.ts';
import { expectCode, postForm, signedParams } from './helpers.ts';

type Json = Record<string, any>;

/** 万店掌 for the platform's tests: a key, a method, a grant, and a signed call. */
export const fixture: FrontFixture<{ akey: string; secret: string }> = {
  async fill(s) {
    const ok = async (path: string, body?: unknown, method?: string) => {
      const r = await s.admin(path, { ...(body === undefined ? {} : { body }), ...(method ? { method } : {}) });
      assert.ok(r.status < 300, `${path}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body as Json;
    };
    const key = await ok('/opretail/keys', { username: 'acme', enterpriseId: 42 });
    await ok('/opretail/methods', { name: 'shop.order.list', version: 'v1', url: 'http://127.0.0.1:9/orders' });
    await ok(`/opretail/keys/${key.applicationKey}/grants/shop.order.list/v1`, undefined, 'PUT');
    const creds = { akey: key.applicationKey as string, secret: key.secret as string };
    await fixture.callAgain(s.url, creds);
    return creds;
  },
  async callAgain(url, creds) {
    expectCode(await postForm(url, signedParams(creds, Date.now())), 0, 'SUCCESS');
  },
  filledTables: ['opretail_developer_keys', 'opretail_grants'],
};
