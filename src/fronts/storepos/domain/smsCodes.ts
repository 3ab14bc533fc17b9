import type { Clock } from '../../../kernel/clock.ts';
import { formatDay, msUntilNextDay } from '../../../kernel/cst.ts';
import { InvalidInput, RateLimited, UpstreamRejected } from '../../../kernel/errors.ts';
import { randomDigits, randomHex } from '../../../kernel/random.ts';
import { constantTimeEqual, sha256Hex } from '../../../kernel/secrets.ts';
import type { StateStore } from '../../../state/state.ts';
import type { SmsProvider } from '../../../upstream/types.ts';

export const MOBILE_PATTERN = /^1[3-9]\d{9}$/;
const CODE_PATTERN = /^\d{6}$/;
/** Checks a code survives: the fifth wrong one destroys it (storepos.md). */
export const MAX_CHECKS = 5;

export interface SmsLimits {
  validMinutes: number;
  intervalS: number;
  perMobilePerDay: number;
  perAgentPerDay: number;
}

/** Who is sending: the agent's number (the code's scope) and its own daily cap, if any. */
export interface SmsSender {
  agentId: string;
  smsDailyCap: number | null;
}

/** A limit slot this request holds; released when the request ends up sending nothing. */
type Release = () => Promise<void>;

/**
 * SMS verification codes of the storepos front.
 *
 * - Limits (one send per mobile per interval, per mobile per day, per agent per day) are counted
 *   in the shared state store, so they hold across processes. The interval is a `putIfAbsent`
 *   slot (a true "at least N seconds apart", not a fixed window that two sends could straddle);
 *   the daily counts are fixed CST-day windows with a give-back counter, so that a request
 *   refused by a later limit leaves the earlier ones as they were.
 * - A send that reaches the provider keeps its place in every limit even when the provider
 *   refuses or times out: the limits bound traffic to the provider account (which providers
 *   police too), and a timed-out send may have been delivered. A refused send's code is removed,
 *   since nothing was delivered; a timed-out send's code stays valid, since something may have been.
 * - Codes are scoped to (agent, mobile), stored only as a salted SHA-256 with their expiry, and a
 *   new send replaces the previous code. The mobile limits are global: they protect the phone's
 *   owner whichever agent asks.
 * - A check first takes one of the code's MAX_CHECKS comparison slots (`incrBelow`), so at most
 *   MAX_CHECKS guesses are ever compared with one code however many arrive at once. A correct
 *   guess consumes the code with `take`, so exactly one correct check succeeds; a wrong one is
 *   counted apart, and the code is destroyed when the wrong ones reach MAX_CHECKS. Only wrong
 *   guesses destroy a code: a correct check never does, whatever arrives beside it.
 */
export class SmsCodes {
  constructor(
    private readonly state: StateStore,
    private readonly clock: Clock,
    private readonly provider: () => SmsProvider,
    private readonly limits: SmsLimits,
  ) {}

  /** Sends a fresh code; returns its validity in minutes. */
  async send(sender: SmsSender, mobile: string): Promise<{ minutes: number }> {
    checkMobile(mobile);
    await this.takeLimits(sender, mobile);
    const minutes = this.limits.validMinutes;
    const code = randomDigits(6);
    const id = randomHex(8);
    const expiresAt = this.clock.now() + minutes * 60_000;
    const key = codeKey(sender.agentId, mobile);
    const value = `${id}.${expiresAt}.${hashCode(id, sender.agentId, mobile, code)}`;
    // Stored before sending, so a code that reaches the phone always works.
    await this.state.set(key, value, minutes * 60_000);
    try {
      await this.provider().send(mobile, code, minutes);
    } catch (err) {
      if (err instanceof UpstreamRejected) await this.dropIfSame(key, value);
      throw err;
    }
    return { minutes };
  }

  /**
   * True when `code` is the current code of (agent, mobile); consumes it. False when it is wrong,
   * expired, already used, replaced, or destroyed by too many checks.
   */
  async check(sender: SmsSender, mobile: string, code: string): Promise<boolean> {
    checkMobile(mobile);
    if (!CODE_PATTERN.test(code)) throw new InvalidInput('valid_code', 'valid_code must be the 6 digits of the SMS');
    const key = codeKey(sender.agentId, mobile);
    const stored = await this.state.get(key);
    if (stored === null) return false;
    const [id = '', expires = '0', hash = ''] = stored.split('.');
    const ttl = Number(expires) - this.clock.now();
    if (ttl <= 0) return false;
    // No slot left: MAX_CHECKS guesses were (or are being) compared already.
    if ((await this.state.incrBelow(`storepos:sms:slots:${id}`, ttl + 1000, MAX_CHECKS)) === null) return false;
    if (constantTimeEqual(hash, hashCode(id, sender.agentId, mobile, code))) return (await this.takeIfSame(key, stored)) === 'taken';
    if ((await this.state.incr(`storepos:sms:wrong:${id}`, ttl + 1000)) >= MAX_CHECKS) await this.dropIfSame(key, stored);
    return false;
  }

  /** Takes every limit slot in turn; on a refusal gives back the ones already taken and throws. */
  private async takeLimits(sender: SmsSender, mobile: string): Promise<void> {
    const now = this.clock.now();
    const releases: Release[] = [];
    const giveBack = async () => {
      for (const release of releases.reverse()) await release();
    };

    const gapKey = `storepos:sms:gap:${mobile}`;
    const gapMs = this.limits.intervalS * 1000;
    if (!(await this.state.putIfAbsent(gapKey, String(now), gapMs))) {
      const since = now - Number((await this.state.get(gapKey)) ?? now);
      const wait = Math.max(1, Math.ceil((gapMs - since) / 1000));
      throw new RateLimited(`one SMS code per mobile every ${this.limits.intervalS} s; wait ${wait} s`, wait);
    }
    releases.push(() => this.state.del(gapKey));

    const day = formatDay(now);
    const untilTomorrow = msUntilNextDay(now);
    const waitDay = Math.ceil(untilTomorrow / 1000);
    const daily: [string, number, string][] = [
      [`m:${mobile}`, this.limits.perMobilePerDay, `at most ${this.limits.perMobilePerDay} SMS codes per mobile per day`],
      [
        `a:${sender.agentId}`,
        sender.smsDailyCap ?? this.limits.perAgentPerDay,
        `this agent's daily SMS cap (${sender.smsDailyCap ?? this.limits.perAgentPerDay}) is reached`,
      ],
    ];
    for (const [scope, limit, what] of daily) {
      const key = `storepos:sms:day:${scope}:${day}`;
      // Counted only while below the limit, in one atomic step: a refused request counts nothing,
      // and concurrent requests at two processes can never both take the last slot.
      if ((await this.state.incrBelow(key, untilTomorrow + 60_000, limit)) === null) {
        await giveBack();
        throw new RateLimited(`${what}; wait ${waitDay} s (until 00:00 China time)`, waitDay);
      }
      releases.push(() => this.state.decr(key));
    }
  }

  /** Consumes `expected` if it is still the stored value; a newer value taken by mistake is put back. */
  private async takeIfSame(key: string, expected: string): Promise<'taken' | 'gone'> {
    const taken = await this.state.take(key);
    if (taken === expected) return 'taken';
    if (taken !== null) {
      // A new send replaced the code between our read and our take: restore the new one.
      const ttl = Number(taken.split('.')[1] ?? 0) - this.clock.now();
      if (ttl > 0) await this.state.putIfAbsent(key, taken, ttl);
    }
    return 'gone';
  }

  private async dropIfSame(key: string, expected: string): Promise<void> {
    await this.takeIfSame(key, expected);
  }
}

function checkMobile(mobile: string): void {
  if (!MOBILE_PATTERN.test(mobile)) {
    throw new InvalidInput('mobile', 'mobile must be a mainland China mobile number: 11 digits starting 13–19');
  }
}

function codeKey(agentId: string, mobile: string): string {
  return `storepos:sms:code:${agentId}:${mobile}`;
}

// The random id salts the hash, so equal codes never hash alike and a table of the 10^6 codes
// cannot be precomputed; a short-lived code needs no slower hash.
function hashCode(id: string, agentId: string, mobile: string, code: string): string {
  return sha256Hex(`${id}:${agentId}:${mobile}:${code}`);
}
