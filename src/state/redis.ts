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

// The recordOnce calls of one event-loop turn (up to RECORDINGS_PER_SCRIPT), in arrival order: for
// each, SET NX of its id and, only when that stored, INCR of its counters (a window's expiry set by
// its first count). One script, one round trip and one command for all of them. KEYS: per
// recording its id's key, then its counters'. ARGV[1]: the number of recordings; then per
// recording: its number of counters, the id's ttl, each counter's ttl. Returns per recording its
// counts, or false (null) when its id was already recorded.
const RECORD_ONCE_ALL = `
local out = {}
local k = 0
local a = 1
for r = 1, tonumber(ARGV[1]) do
  local n = tonumber(ARGV[a + 1])
  if redis.call('SET', KEYS[k + 1], '1', 'PX', ARGV[a + 2], 'NX') then
    local counts = {}
    for i = 1, n do
      local c = redis.call('INCR', KEYS[k + 1 + i])
      if c == 1 then redis.call('PEXPIRE', KEYS[k + 1 + i], ARGV[a + 2 + i]) end
      counts[i] = c
    end
    out[r] = counts
  else
    out[r] = false
  end
  k = k + 1 + n
  a = a + 2 + n
end
return out`;

/**
 * Recordings one script takes at most: a turn with more sends one script each time this many
 * have come, and the rest at the turn's end. Under load a turn reads a request from every
 * connection (50 in the benchmark); sent only at the turn's end, Redis waited for the request
 * thread to parse all of them, then the request thread waited for Redis. Sent at 32, Redis runs
 * the first script while the request thread parses the rest: paired `bench:pg` runs gave 1.13×
 * and 1.20× the throughput and 0.89–0.90× the p99 in one process against 500 (16 did less well:
 * each script has its own cost), bench/RESULTS.md.
 */
const RECORDINGS_PER_SCRIPT = 32;

interface Recording {
  id: string;
  ttlMs: number;
  counters: readonly Counter[];
  resolve(counts: number[] | null): void;
  reject(err: unknown): void;
}

/** A TTL as Redis takes it: whole milliseconds, at least 1. */
const ms = (t: number) => Math.max(1, Math.ceil(t));

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
      // The commands of one event-loop turn go out in one write: a loopback write to Redis cost a
      // signed call ~40 µs of its request thread, most of it the kernel's (bench/RESULTS.md). The
      // turn's recordings are one command already and are sent at once.
      enableAutoPipelining: true,
      autoPipeliningIgnoredCommands: ['kaifangRecordOnceAll'],
    });
    this.redis.defineCommand('kaifangIncrWindow', { numberOfKeys: 1, lua: INCR_WINDOW });
    this.redis.defineCommand('kaifangRecordOnceAll', { lua: RECORD_ONCE_ALL });
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
    return (await this.redis.set(this.k(key), value, 'PX', ms(ttlMs), 'NX').catch(this.unavailable)) === 'OK';
  }

  async take(key: string): Promise<string | null> {
    return this.redis.getdel(this.k(key)).catch(this.unavailable);
  }

  async incr(key: string, ttlMs: number): Promise<number> {
    const run = (this.redis as unknown as Record<string, (k: string, ttl: number) => Promise<number>>).kaifangIncrWindow!;
    return Number(await run.call(this.redis, this.k(key), ms(ttlMs)).catch(this.unavailable));
  }

  async incrBelow(key: string, ttlMs: number, limit: number): Promise<number | null> {
    if (limit < 1) return null;
    const result = await this.script('kaifangIncrBelow')(this.k(key), ms(ttlMs), limit);
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
      .call(this.redis, counters.length, ...counters.map((c) => this.k(c.key)), ...counters.map((c) => ms(c.ttlMs)))
      .catch(this.unavailable);
    return result.map(Number);
  }

  /**
   * Recorded with the other recordings of the same event-loop turn, up to RECORDINGS_PER_SCRIPT to
   * a script (each script one atomic step, each recording as it would be alone): under load the
   * signed calls of a turn cost Redis a command and the request thread a reply to decode per 32,
   * not one each.
   */
  recordOnce(id: string, ttlMs: number, counters: readonly Counter[]): Promise<number[] | null> {
    return new Promise((resolve, reject) => {
      if (this.recordings.length === 0) setImmediate(this.sendRecordings);
      this.recordings.push({ id, ttlMs, counters, resolve, reject });
      if (this.recordings.length === RECORDINGS_PER_SCRIPT) this.sendRecordings();
    });
  }

  private recordings: Recording[] = [];

  private readonly sendRecordings = (): void => {
    const batch = this.recordings;
    if (batch.length === 0) return;
    this.recordings = [];
    const keys: string[] = [];
    const argv: (string | number)[] = [batch.length];
    for (const r of batch) {
      keys.push(this.k(`once:${r.id}`));
      argv.push(r.counters.length, ms(r.ttlMs));
      for (const c of r.counters) {
        keys.push(this.k(c.key));
        argv.push(ms(c.ttlMs));
      }
    }
    // A failed script fails every recording of the turn, with what `unavailable` made of its error.
    this.script('kaifangRecordOnceAll')(keys.length, ...keys, ...argv).then(
      (results) => {
        const counts = results as (number[] | null)[];
        for (let i = 0; i < batch.length; i++) batch[i]!.resolve(counts[i] == null ? null : counts[i]!.map(Number));
      },
      (err: unknown) => {
        for (const r of batch) r.reject(err);
      },
    );
  };

  async get(key: string): Promise<string | null> {
    return this.redis.get(this.k(key)).catch(this.unavailable);
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.redis.set(this.k(key), value, 'PX', ms(ttlMs)).catch(this.unavailable);
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
