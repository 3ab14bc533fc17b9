import { DomainError, NotFound } from '../../../kernel/errors.ts';
import type { OfficialAccounts, OfficialAccountWithSecret } from '../../../core/wechat/officialAccounts.ts';

/**
 * The one official account the 微厅 platform is: the one named by the setting, or, unset, the only
 * one registered. Several with no setting, or none, is the operator's to fix: NotFound, saying so.
 */
export function theOfficialAccount(accounts: OfficialAccounts, named: string | undefined): () => Promise<OfficialAccountWithSecret> {
  return async () => {
    if (named) {
      try {
        return await accounts.authenticate(named);
      } catch (err) {
        // Missing or switched off, it is the platform's setup that is wrong, not the caller's request.
        if (err instanceof DomainError && (err.kind === 'NotFound' || err.kind === 'Disabled')) {
          throw new NotFound('officialAccount', `KAIFANG_WEITING_OFFICIAL_ACCOUNT names ${named}: ${err.message}`);
        }
        throw err;
      }
    }
    const all = await accounts.list({ limit: 2 });
    if (all.length !== 1) {
      throw new NotFound(
        'officialAccount',
        all.length === 0
          ? 'no official account is registered (kaifang wechat official-accounts create)'
          : 'several official accounts are registered: set KAIFANG_WEITING_OFFICIAL_ACCOUNT to the one the platform is',
      );
    }
    return accounts.authenticate(all[0]!.appid);
  };
}
