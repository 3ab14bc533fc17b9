import { Redis } from 'ioredis';
// INCR and the window's expiry in one step, so a crash between them cannot leave an immortal key.
const INCR_WINDOW = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`;
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
export class RedisStateStore {
    prefix;
    backend = 'redis';
    redis;
    constructor(url, prefix = 'kaifang:') {
        this.prefix = prefix;
        this.redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true });
        this.redis.defineCommand('kaifangIncrWindow', { numberOfKeys: 1, lua: INCR_WINDOW });
        this.redis.defineCommand('kaifangPutAndCount', { lua: PUT_AND_COUNT });
        this.redis.defineCommand('kaifangIncrBelow', { numberOfKeys: 1, lua: INCR_BELOW });
        this.redis.defineCommand('kaifangDecrFloor', { numberOfKeys: 1, lua: DECR_FLOOR });
        // Errors surface on the commands that fail; an unhandled 'error' event would crash the process.
        this.redis.on('error', () => undefined);
    }
    k(key) {
        return this.prefix + key;
    }
    async putIfAbsent(key, value, ttlMs) {
        return (await this.redis.set(this.k(key), value, 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX')) === 'OK';
    }
    async take(key) {
        return this.redis.getdel(this.k(key));
    }
    async incr(key, ttlMs) {
        const run = this.redis.kaifangIncrWindow;
        return Number(await run.call(this.redis, this.k(key), Math.max(1, Math.ceil(ttlMs))));
    }
    async incrBelow(key, ttlMs, limit) {
        if (limit < 1)
            return null;
        const result = await this.script('kaifangIncrBelow')(this.k(key), Math.max(1, Math.ceil(ttlMs)), limit);
        return result === null ? null : Number(result);
    }
    async decr(key) {
        await this.script('kaifangDecrFloor')(this.k(key));
    }
    /** A command defined with defineCommand (ioredis adds it to the client untyped). */
    script(name) {
        const fn = this.redis[name];
        return (...args) => fn.apply(this.redis, args);
    }
    async recordOnce(id, ttlMs, counters) {
        const run = this.redis.kaifangPutAndCount;
        const ms = (t) => Math.max(1, Math.ceil(t));
        const result = await run.call(this.redis, 1 + counters.length, this.k(`once:${id}`), ...counters.map((c) => this.k(c.key)), '1', ms(ttlMs), ...counters.map((c) => ms(c.ttlMs)));
        return result === null ? null : result.map(Number);
    }
    async get(key) {
        return this.redis.get(this.k(key));
    }
    async set(key, value, ttlMs) {
        await this.redis.set(this.k(key), value, 'PX', Math.max(1, Math.ceil(ttlMs)));
    }
    async del(key) {
        await this.redis.del(this.k(key));
    }
    async ping() {
        await this.redis.ping();
    }
    async close() {
        await this.redis.quit().catch(() => this.redis.disconnect());
    }
}
