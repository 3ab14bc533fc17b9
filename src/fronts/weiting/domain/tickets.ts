import type { StateStore } from '../../../state/state.ts';
import type { BearerTokens } from '../../../core/bearerTokens.ts';
import { check } from '../../../kernel/validation.ts';
import { sha256Hex } from '../../../kernel/secrets.ts';

export const MOBILE_PATTERN = /^1[3-9]\d{9}$/;

/** Why a ticket did not give a mobile number. */
export type TicketFailure = 'unknown' | 'used' | 'expired';

/**
 * App quick-entry tickets: the operator's app issues one for a logged-in mobile number (5
 * minutes, single use), a partner redeems it for the number. Stored only as hashes; a redeemed
 * ticket is remembered for a day so a second try can be told "used" rather than "unknown".
 */
export class Tickets {
  constructor(
    private readonly tokens: BearerTokens,
    private readonly state: StateStore,
    private readonly ttlMs: number,
  ) {}

  async issue(mobile: string): Promise<{ ticket: string; expiresIn: number }> {
    check('mobile', MOBILE_PATTERN.test(mobile), 'mobile must be a mainland China mobile number: 11 digits starting 13–19');
    const { token } = await this.tokens.issue(mobile, this.ttlMs, { data: mobile });
    return { ticket: token, expiresIn: Math.round(this.ttlMs / 1000) };
  }

  async redeem(ticket: string): Promise<{ mobile: string } | { failure: TicketFailure }> {
    const got = await this.tokens.redeem(ticket);
    const usedKey = `weiting:ticket:used:${sha256Hex(ticket)}`;
    if (got === 'expired') return { failure: 'expired' };
    if (!got) return { failure: (await this.state.get(usedKey)) === null ? 'unknown' : 'used' };
    await this.state.set(usedKey, '1', 86_400_000);
    return { mobile: got.data! };
  }
}
