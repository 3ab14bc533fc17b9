import type { Clock } from './clock.ts';
import { formatDay, msUntilNextDay } from './cst.ts';
import { RateLimited, Replayed } from './errors.ts';
import type { StateStore } from '../state/state.ts';

/**
 * Fixed-window counters on the shared state store: a limit holds across every process that shares
 * the store, because each hit is one atomic increment there.
 */
export class Quotas {
  constructor(
    private readonly state: StateStore,
    private readonly clock: Clock,
  ) {}

  /** Counts one call in the current second for `scope`; throws RateLimited past `limit`. */
  async perSecond(scope: string, limit: number): Promise<void> {
    const now = this.clock.now();
    const second = Math.floor(now / 1000);
    const n = await this.state.incr(`rl:s:${scope}:${second}`, 2000);
    if (n > limit) throw new RateLimited(`more than ${limit} calls per second`, 1);
  }

  /** Counts one call in the current CST day for `scope`; throws RateLimited past `limit`. */
  async perDay(scope: string, limit: number): Promise<void> {
    const now = this.clock.now();
    const n = await this.state.incr(`rl:d:${scope}:${formatDay(now)}`, msUntilNextDay(now) + 60_000);
    if (n > limit) {
      throw new RateLimited(`more than ${limit} calls today (CST)`, Math.ceil(msUntilNextDay(now) / 1000));
    }
  }

  /**
   * Counts one event in a window of `windowMs` for `scope` and returns the count, for limits whose
   * message the caller words itself (SMS sends per mobile per minute, …).
   */
  async count(scope: string, windowMs: number): Promise<number> {
    const window = Math.floor(this.clock.now() / windowMs);
    return this.state.incr(`rl:w:${scope}:${windowMs}:${window}`, windowMs + 1000);
  }
}

/** Remembers signed requests for as long as their timestamp is acceptable; a second sighting is a replay. */
export class ReplayGuard {
  constructor(private readonly state: StateStore) {}

  async once(scope: string, id: string, ttlMs: number): Promise<void> {
    if (!(await this.state.putIfAbsent(`replay:${scope}:${id}`, '1', ttlMs))) {
      throw new Replayed('this signed request was already received');
    }
  }
}
