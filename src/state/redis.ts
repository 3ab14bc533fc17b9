import { Redis } from 'ioredis';
import { StateUnavailable, type Counter, type StateStore } from './state.ts';

// INCR and the window's expiry in one step, so a crash between them cannot leave an immortal key.
const INCR_WINDOW = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`;

// INCR of every key (each window's expiry set by its first count): one atomic step, one round trip.
// KEYS: the counters; ARGV: each counter's ttl.
const INCR_ALL = `
local counts = {}
for i = 1, #KEYS do
  local n = redis.call('INCR', KEYS[i])
  if n == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[i]) end
  counts[i] = n
end
return counts`;

// SET NX and, only when it stored, the counters: one script, so one atomic step and one round trip.
// KEYS[1] is the value's key, KEYS[2..] the counters; ARGV: value, ttl, then each counter's ttl.
const PUT_AND_COUNT = `
if not redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return false end
local counts = {}
for i = 2, #KEYS do
  local n = redis.call('INCR', KEYS[i])
  if n == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[i + 1]) end
  counts[i - 1] = n
end
return counts`;

// INCR only while below the limit (ARGV[2]); the window's expiry is set by its first count.
const INCR_BELOW = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n >= tonumber(ARGV[2]) then return false end
n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`;

// DECR an existing counter, never below 0 (a missing key stays missing).
const DECR_FLOOR = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then return redis.call('DECR', KEYS[1]) end
return 0`;

/** State in Redis (`REDIS_URL`), for several kaifang processes behind a load balancer. */
export class RedisStateStore implements StateStore {
  readonly backend = 'redis' as const;
  private readonly redis: Redis;

  private readonly timeoutMs: number;

  /**
   * `onUnreachable` hears the first connection error after each good spell (not every retry),
   * `onReachable` when the connection is back: for the log, naming REDIS_URL.
   *
   * Every command fails fast rather than waiting for Redis: one with no answer within `timeoutMs`
   * (KAIFANG_STATE_TIMEOUT_MS) fails then, and once the first connection was made, one issued
   * while the connection is down fails at once, neither queued until Redis is back nor sent again
   * after a reconnection (a replay record or a count written late, after its caller was told it
   * failed, would be a surprise). Before the first connection commands wait for it, within the
   * same deadline. The client reconnects in the background all the while.
   */
  constructor(
    url: string,
    private readonly prefix = 'kaifang:',
    events: { onUnreachable?: (err: Error) => void; onReachable?: () => void; timeoutMs?: number } = {},
  ) {
    this.timeoutMs = events.timeoutMs ?? 500;
    this.redis = new Redis(url, {
      lazyConnect: false,
      commandTimeout: this.timeoutMs,
      enableOfflineQueue: true,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      enableAutoPipelining: true,
    });
    this.redis.defineCommand('kaifangIncrWindow', { numberOfKeys: 1, lua: INCR_WINDOW });
    this.redis.defineCommand('kaifangPutAndCount', { lua: PUT_AND_COUNT });
    this.redis.defineCommand('kaifangIncrAll', { lua: INCR_ALL });
    this.redis.defineCommand('kaifangIncrBelow', { numberOfKeys: 1, lua: INCR_BELOW });
    this.redis.defineCommand('kaifangDecrFloor', { numberOfKeys: 1, lua: DECR_FLOOR });
    // Errors surface on the commands that fail; an unhandled 'error' event would crash the process.
    let down = false;
    this.redis.on('error', (err: Error) => {
      if (down) return;
      down = true;
      events.onUnreachable?.(err);
    });
    this.redis.once('ready', () => {
      this.redis.options.enableOfflineQueue = false;
    });
    this.redis.on('ready', () => {
      if (!down) return;
      down = false;
      events.onReachable?.();
    });
  }

  private k(key: string): string {
    return this.prefix + key;
  }

  /** Resolves once connected (or after `ms` without): a server starting beside Redis does not fail its first calls. */
  ready(ms: number): Promise<void> {
    if (this.redis.status === 'ready') return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.redis.off('ready', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      this.redis.once('ready', done);
    });
  }

  /** The client's failures, said in the operator's words (REDIS_URL, the deadline). */
  private readonly unavailable = (err: unknown): never => {
    const message = (err as Error).message ?? String(err);
    const connected = this.redis.status === 'ready';
    if (message === 'Command timed out' && connected)
      throw new StateUnavailable(`Redis (REDIS_URL) did not answer within ${this.timeoutMs} ms (KAIFANG_STATE_TIMEOUT_MS)`);
    if (
      message === 'Command timed out' ||
      /enableOfflineQueue|Connection is closed|Stream isn't writeable|max retries per request/.test(message)
    )
      throw new StateUnavailable('Redis (REDIS_URL) cannot be reached; state operations fail until it is back');
    throw err;
  };

  async putIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(this.k(key), value, 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX').catch(this.unavailable)) === 'OK';
  }

  async take(key: string): Promise<string | null> {
    return this.redis.getdel(this.k(key)).catch(this.unavailable);
  }

  async incr(key: string, ttlMs: number): Promise<number> {
    const run = (this.redis as unknown as Record<string, (k: string, ttl: number) => Promise<number>>).kaifangIncrWindow!;
    return Number(await run.call(this.redis, this.k(key), Math.max(1, Math.ceil(ttlMs))).catch(this.unavailable));
  }

  async incrBelow(key: string, ttlMs: number, limit: number): Promise<number | null> {
    if (limit < 1) return null;
    const result = await this.script('kaifangIncrBelow')(this.k(key), Math.max(1, Math.ceil(ttlMs)), limit);
    return result === null ? null : Number(result);
  }

  async decr(key: string): Promise<void> {
    await this.script('kaifangDecrFloor')(this.k(key));
  }

  /** A command defined with defineCommand (ioredis adds it to the client untyped). */
  private script(name: string): (...args: (string | number)[]) => Promise<unknown> {
    const fn = (this.redis as unknown as Record<string, (...args: (string | number)[]) => Promise<unknown>>)[name]!;
    return (...args) => fn.apply(this.redis, args).catch(this.unavailable);
  }

  async incrAll(counters: readonly Counter[]): Promise<number[]> {
    if (counters.length === 0) return [];
    const run = (this.redis as unknown as Record<string, (...args: (string | number)[]) => Promise<number[]>>).kaifangIncrAll!;
    const result = await run
      .call(this.redis, counters.length, ...counters.map((c) => this.k(c.key)), ...counters.map((c) => Math.max(1, Math.ceil(c.ttlMs))))
      .catch(this.unavailable);
    return result.map(Number);
  }

  async recordOnce(id: string, ttlMs: number, counters: readonly Counter[]): Promise<number[] | null> {
    const run = (this.redis as unknown as Record<string, (...args: (string | number)[]) => Promise<number[] | null>>).kaifangPutAndCount!;
    const ms = (t: number) => Math.max(1, Math.ceil(t));
    const result = await run
      .call(
        this.redis,
        1 + counters.length,
        this.k(`once:${id}`),
        ...counters.map((c) => this.k(c.key)),
        '1',
        ms(ttlMs),
        ...counters.map((c) => ms(c.ttlMs)),
      )
      .catch(this.unavailable);
    return result === null ? null : result.map(Number);
  }

  async get(key: string): Promise<string | null> {
    return this.redis.get(this.k(key)).catch(this.unavailable);
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.redis.set(this.k(key), value, 'PX', Math.max(1, Math.ceil(ttlMs))).catch(this.unavailable);
  }

  async del(key: string): Promise<void> {
    await this.redis.del(this.k(key)).catch(this.unavailable);
  }

  async ping(): Promise<void> {
    await this.redis.ping().catch(this.unavailable);
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
