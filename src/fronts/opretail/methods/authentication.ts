import { presentDeveloperKey } from '../present.ts';
import { InvalidInput } from '../../../kernel/errors.ts';
import { GatewayError } from '../codes.ts';
import type { BuiltInMethod } from './types.ts';

/**
 * `open.gateway.authentication`: the caller's own developer record, when `orgid` is the key's
 * enterprise. v1 and v2 answer alike: the seed documents only v2's fields and nothing tells v1 apart.
 */
const authenticate: BuiltInMethod = async ({ key, text, now }) => {
  const orgid = text.orgid;
  if (orgid === undefined || orgid === '')
    throw new InvalidInput('orgid', 'orgid is required: the open platform enterprise id (an integer)');
  if (!/^-?\d{1,18}$/.test(orgid)) throw new InvalidInput('orgid', `orgid must be an integer, got ${JSON.stringify(orgid.slice(0, 40))}`);
  if (Number(orgid) !== key.enterpriseId) {
    throw new GatewayError(
      'IDENTITY_INFORMATION_WRONG',
      `the identity information is incorrect: _akey does not match the enterprise id ${orgid}`,
    );
  }
  return presentDeveloperKey(key, now, true);
};

export const authentication: Record<string, BuiltInMethod> = { v1: authenticate, v2: authenticate };
