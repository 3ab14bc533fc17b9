import { Redis } from 'ioredis';
import type { StateStore } from './state.ts';

// INCR and the window's expiry in one step, so a crash between them cannot leave an immortal key.
const INCR_WINDOW = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`;

/** State in Redis (`REDIS_URL`), for several kaifang processes behind a load balancer. */
export class RedisStateStore implements StateStore {
  readonly backend = 'redis' as const;
  private readonly redis: Redis;

  constructor(
    url: string,
    private readonly prefix = 'kaifang:',
  ) {
    this.redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true });
    this.redis.defineCommand('kaifangIncrWindow', { numberOfKeys: 1, lua: INCR_WINDOW });
    // Errors surface on the commands that fail; an unhandled 'error' event would crash the process.
    this.redis.on('error', () => undefined);
  }

  private k(key: string): string {
    return this.prefix + key;
  }

  async putIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(this.k(key), value, 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX')) === 'OK';
  }

  async take(key: string): Promise<string | null> {
    return this.redis.getdel(this.k(key));
  }

  async incr(key: string, ttlMs: number): Promise<number> {
    const run = (this.redis as unknown as Record<string, (k: string, ttl: number) => Promise<number>>).kaifangIncrWindow!;
    return Number(await run.call(this.redis, this.k(key), Math.max(1, Math.ceil(ttlMs))));
  }

  async get(key: string): Promise<string | null> {
    return this.redis.get(this.k(key));
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.redis.set(this.k(key), value, 'PX', Math.max(1, Math.ceil(ttlMs)));
  }

  async del(key: string): Promise<void> {
    await this.redis.del(this.k(key));
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
