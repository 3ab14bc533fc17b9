import type { Clock } from '../kernel/clock.ts';
import { formatDay, msUntilNextDay } from '../kernel/cst.ts';
import { RateLimited, Replayed } from '../kernel/errors.ts';
import type { Counter, StateStore } from '../state/state.ts';

/** A rate-limit window a call is counted in, with what to say when the count passes the limit. */
export interface LimitWindow extends Counter {
  limit: number;
  /** Opens the refusal's message (e.g. "this _akey"); the message is built only for a refusal. */
  label: string;
  period: 'second' | 'day';
  retryAfterSeconds: number;
}

export interface Limits {
  perSecond: number | null;
  perDay: number | null;
}

/**
 * Fixed-window counters on the shared state store: a limit holds across every process that shares
 * the store, because each hit is one atomic increment there.
 */
export class Quotas {
  constructor(
    private readonly state: StateStore,
    private readonly clock: Clock,
  ) {}

  /**
   * The fixed windows (this second, this CST day) a call of `scope` is counted in; `label` opens the
   * refusal message (e.g. "this _akey"). Count them with ReplayGuard.once, check with `enforce`.
   */
  windows(scope: string, limits: Limits, label: string): LimitWindow[] {
    const now = this.clock.now();
    const out: LimitWindow[] = [];
    const { perSecond, perDay } = limits;
    if (perSecond !== null) {
      out.push({
        key: `rl:s:${scope}:${Math.floor(now / 1000)}`,
        ttlMs: 2000,
        limit: perSecond,
        label,
        period: 'second',
        retryAfterSeconds: 1,
      });
    }
    if (perDay !== null) {
      const untilTomorrow = msUntilNextDay(now);
      out.push({
        key: `rl:d:${scope}:${formatDay(now)}`,
        ttlMs: untilTomorrow + 60_000,
        limit: perDay,
        label,
        period: 'day',
        retryAfterSeconds: Math.ceil(untilTomorrow / 1000),
      });
    }
    return out;
  }

  /** Throws RateLimited for the first window whose count went past its limit. */
  enforce(windows: readonly LimitWindow[], counts: readonly number[]): void {
    windows.forEach((w, i) => {
      if ((counts[i] ?? 0) > w.limit) {
        const per = w.period === 'second' ? 'per second' : 'today (CST)';
        throw new RateLimited(`${w.label}: more than ${w.limit} calls ${per}; slow down`, w.retryAfterSeconds);
      }
    });
  }

  /** Counts one call in the current second for `scope`; throws RateLimited past `limit`. */
  async perSecond(scope: string, limit: number): Promise<void> {
    await this.hit(this.windows(scope, { perSecond: limit, perDay: null }, scope));
  }

  /** Counts one call in the current CST day for `scope`; throws RateLimited past `limit`. */
  async perDay(scope: string, limit: number): Promise<void> {
    await this.hit(this.windows(scope, { perSecond: null, perDay: limit }, scope));
  }

  /**
   * Counts one call in every window at once (one write to the state store however many windows),
   * then throws RateLimited for the first window past its limit: a call refused by one window is
   * still counted in the others, as a signed call's windows are (ReplayGuard.once).
   */
  async hit(windows: readonly LimitWindow[]): Promise<void> {
    this.enforce(windows, await this.state.incrAll(windows));
  }
}

/** Remembers signed requests for as long as their timestamp is acceptable; a second sighting is a replay. */
export class ReplayGuard {
  constructor(private readonly state: StateStore) {}

  /**
   * Records the request and, in the same atomic write, counts it in `windows` (a replay counts
   * nowhere). Returns the counts, in the order of `windows`.
   */
  async once(scope: string, id: string, ttlMs: number, windows: readonly Counter[] = []): Promise<number[]> {
    const counts = await this.state.recordOnce(`replay:${scope}:${id}`, ttlMs, windows);
    if (counts === null) throw new Replayed('this signed request was already received');
    return counts;
  }
}
