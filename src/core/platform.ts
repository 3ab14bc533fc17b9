import type { Kysely } from 'kysely';
import type { StateStore } from '../state/state.ts';
import type { Database } from '../store/schema.ts';
import type { Upstreams } from '../upstream/index.ts';
import type { Clock } from '../kernel/clock.ts';
import type { Idempotency } from './idempotency.ts';
import type { Quotas, ReplayGuard } from './quota.ts';
import type { SecretBox } from '../kernel/secrets.ts';
import type { UpstreamTokens } from './upstreamTokens.ts';
import type { WechatApps } from './wechat/index.ts';

/**
 * The shared core a front builds its services from: storage, sealed secrets, the clock, short-lived
 * state and what is made of it (quotas, replay protection, idempotency, shared upstream tokens),
 * the upstream adapters, and the WeChat apps the platform holds. No HTTP, no admin token, no
 * configuration beyond the cache bound: a front's own settings reach it separately.
 */
export interface Core {
  readonly db: Kysely<Database>;
  readonly box: SecretBox;
  readonly clock: Clock;
  readonly state: StateStore;
  readonly quotas: Quotas;
  readonly replay: ReplayGuard;
  readonly idempotency: Idempotency;
  readonly upstreamTokens: UpstreamTokens;
  readonly upstreams: Upstreams;
  readonly wechat: WechatApps;
  /** The per-process cache bound of hot-path lookups (KAIFANG_CACHE_SIZE, KAIFANG_CACHE_TTL_MS). */
  readonly cache: { size: number; ttlMs: number };
  /** The base URL at which this deployment is reachable (KAIFANG_PUBLIC_URL, else where it listens): for links it hands out. */
  publicUrl(): string;
}
