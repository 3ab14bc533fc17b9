import { randomBytes } from 'node:crypto';
import type { StateStore } from '../state/state.ts';
import type { Clock } from '../kernel/clock.ts';
import { UpstreamUnavailable } from '../kernel/errors.ts';

/** What an upstream's token endpoint gave. */
export interface FetchedToken {
  token: string;
  /** Seconds it stays valid, as the upstream said (WeChat: 7200). */
  expiresInS: number;
}

export interface UpstreamTokenOptions {
  /** Refresh this long before the upstream's expiry (default 5 minutes). */
  refreshMarginMs?: number;
  /** How long one process may hold the refresh lock (default 15 s: beyond an upstream timeout). */
  lockMs?: number;
  /** How long a caller waits for another process's refresh (default 15 s). */
  waitMs?: number;
  pollMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * An upstream access token (the WeChat official account's, …) shared by every kaifang process
 * through the state store: fetched once, refreshed before it expires under a lock so that one
 * process refreshes while the others keep using the still-valid token or wait for the new one,
 * and refreshed once more when a call reports it invalid. Upstreams limit token fetches per day and
 * a new token ends the old one early, so fetching per process or per request is not an option.
 */
export class UpstreamTokens {
  /** Refreshes in flight in this process: many callers, one state round trip. */
  private readonly inFlight = new Map<string, Promise<string>>();
  private readonly owner = randomBytes(8).toString('hex');

  constructor(
    private readonly state: StateStore,
    private readonly clock: Clock,
    private readonly options: UpstreamTokenOptions = {},
  ) {}

  /**
   * The current token for `name`, fetching it with `fetchToken` when there is none or it is about to
   * expire (`refreshMarginMs` before, default the instance's: an upstream that hands out the same
   * token until its own renewal window needs a margin inside that window).
   */
  async get(name: string, fetchToken: () => Promise<FetchedToken>, refreshMarginMs = this.margin()): Promise<string> {
    const current = await this.read(name);
    if (current && current.expiresAt - refreshMarginMs > this.clock.now()) return current.token;
    return this.refresh(name, fetchToken, current?.token, refreshMarginMs);
  }

  /**
   * A call was refused because `badToken` is invalid (WeChat 40001/42001): fetch a new one unless
   * another caller already has, and return the token to retry with, once.
   */
  async replaceInvalid(name: string, badToken: string, fetchToken: () => Promise<FetchedToken>): Promise<string> {
    const current = await this.read(name);
    if (current && current.token !== badToken && current.expiresAt > this.clock.now()) return current.token;
    return this.refresh(name, fetchToken, badToken);
  }

  /** Forgets the stored token (an operator changed the secret). */
  async forget(name: string): Promise<void> {
    await this.state.del(this.key(name));
  }

  private refresh(
    name: string,
    fetchToken: () => Promise<FetchedToken>,
    stale: string | undefined,
    marginMs = this.margin(),
  ): Promise<string> {
    let running = this.inFlight.get(name);
    if (!running) {
      running = this.refreshShared(name, fetchToken, stale, marginMs).finally(() => this.inFlight.delete(name));
      this.inFlight.set(name, running);
    }
    return running;
  }

  private async refreshShared(
    name: string,
    fetchToken: () => Promise<FetchedToken>,
    stale: string | undefined,
    marginMs: number,
  ): Promise<string> {
    const lock = `uptoken:lock:${name}`;
    const giveUpAt = performance.now() + (this.options.waitMs ?? 15_000);
    for (;;) {
      if (await this.state.putIfAbsent(lock, this.owner, this.options.lockMs ?? 15_000)) {
        try {
          // Another process may have refreshed between our read and our lock.
          const current = await this.read(name);
          if (current && current.token !== stale && current.expiresAt - marginMs > this.clock.now()) return current.token;
          const fetched = await fetchToken();
          const expiresAt = this.clock.now() + fetched.expiresInS * 1000;
          await this.state.set(this.key(name), `${expiresAt}.${fetched.token}`, Math.max(1000, expiresAt - this.clock.now()));
          return fetched.token;
        } finally {
          if ((await this.state.get(lock)) === this.owner) await this.state.del(lock);
        }
      }
      // Another process is refreshing: a token that still works may be used meanwhile.
      const current = await this.read(name);
      if (current && current.token !== stale && current.expiresAt > this.clock.now()) return current.token;
      if (performance.now() >= giveUpAt) {
        throw new UpstreamUnavailable(
          'upstream-token',
          `no ${name} token: another process's refresh did not finish in time`,
          undefined,
          'timeout',
        );
      }
      await sleep(this.options.pollMs ?? 25);
    }
  }

  private async read(name: string): Promise<{ token: string; expiresAt: number } | undefined> {
    const value = await this.state.get(this.key(name));
    if (value === null) return undefined;
    const dot = value.indexOf('.');
    return { expiresAt: Number(value.slice(0, dot)), token: value.slice(dot + 1) };
  }

  private key(name: string): string {
    return `uptoken:${name}`;
  }

  private margin(): number {
    return this.options.refreshMarginMs ?? 5 * 60_000;
  }
}
