import { formatDay, msUntilNextDay } from './cst.js';
import { RateLimited, Replayed } from './errors.js';
/**
 * Fixed-window counters on the shared state store: a limit holds across every process that shares
 * the store, because each hit is one atomic increment there.
 */
export class Quotas {
    state;
    clock;
    constructor(state, clock) {
        this.state = state;
        this.clock = clock;
    }
    /**
     * The fixed windows (this second, this CST day) a call of `scope` is counted in; `label` opens the
     * refusal message (e.g. "this _akey"). Count them with ReplayGuard.once, check with `enforce`.
     */
    windows(scope, limits, label) {
        const now = this.clock.now();
        const out = [];
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
    enforce(windows, counts) {
        windows.forEach((w, i) => {
            if ((counts[i] ?? 0) > w.limit) {
                const per = w.period === 'second' ? 'per second' : 'today (CST)';
                throw new RateLimited(`${w.label}: more than ${w.limit} calls ${per}; slow down`, w.retryAfterSeconds);
            }
        });
    }
    /** Counts one call in the current second for `scope`; throws RateLimited past `limit`. */
    async perSecond(scope, limit) {
        await this.hit(this.windows(scope, { perSecond: limit, perDay: null }, scope));
    }
    /** Counts one call in the current CST day for `scope`; throws RateLimited past `limit`. */
    async perDay(scope, limit) {
        await this.hit(this.windows(scope, { perSecond: null, perDay: limit }, scope));
    }
    async hit(windows) {
        const counts = [];
        for (const w of windows)
            counts.push(await this.state.incr(w.key, w.ttlMs));
        this.enforce(windows, counts);
    }
}
/** Remembers signed requests for as long as their timestamp is acceptable; a second sighting is a replay. */
export class ReplayGuard {
    state;
    constructor(state) {
        this.state = state;
    }
    /**
     * Records the request and, in the same atomic write, counts it in `windows` (a replay counts
     * nowhere). Returns the counts, in the order of `windows`.
     */
    async once(scope, id, ttlMs, windows = []) {
        const counts = await this.state.recordOnce(`replay:${scope}:${id}`, ttlMs, windows);
        if (counts === null)
            throw new Replayed('this signed request was already received');
        return counts;
    }
}
