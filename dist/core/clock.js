export const systemClock = { now: () => Date.now() };
/** A clock that only moves when told to; for tests. */
export class ManualClock {
    ms;
    constructor(ms = Date.now()) {
        this.ms = ms;
    }
    now() {
        return this.ms;
    }
    set(ms) {
        this.ms = ms;
    }
    advance(ms) {
        this.ms += ms;
    }
}
