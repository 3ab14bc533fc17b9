import type { Kysely } from 'kysely';
import type { Database } from '../../../store/schema.ts';
import { TtlCache } from '../../../core/cache.ts';
import type { Clock } from '../../../kernel/clock.ts';
import type { MiniPrograms } from '../../../core/wechat/miniPrograms.ts';

/**
 * Which agent may log users in to which mini-program. The login path asks on every call, so the
 * answer is cached per process for `cacheTtlMs`, the bound on how long a revoked grant takes to be
 * seen by another process.
 */
export class AgentGrants {
  private readonly cache: TtlCache<{ granted: boolean }>;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly miniPrograms: MiniPrograms,
    cache: { size: number; ttlMs: number },
  ) {
    this.cache = new TtlCache(cache.size, cache.ttlMs);
  }

  /** Lets the agent (by its row id) use the mini-program; granting twice is not an error. */
  async grant(agentRef: number, appid: string): Promise<void> {
    const app = await this.miniPrograms.get(appid);
    await this.db
      .insertInto('storepos_grants')
      .values({ agent_ref: agentRef, miniapp_ref: app.id, created_at: this.clock.now() })
      .onConflict((oc) => oc.columns(['agent_ref', 'miniapp_ref']).doNothing())
      .execute();
    this.cache.delete(cacheKey(agentRef, appid));
  }

  /** Withdraws a grant; true when there was one. */
  async revoke(agentRef: number, appid: string): Promise<boolean> {
    const app = await this.miniPrograms.get(appid);
    const res = await this.db
      .deleteFrom('storepos_grants')
      .where('agent_ref', '=', agentRef)
      .where('miniapp_ref', '=', app.id)
      .executeTakeFirst();
    this.cache.delete(cacheKey(agentRef, appid));
    return Number(res.numDeletedRows) > 0;
  }

  /** The appids granted to an agent (by its row id). */
  async grantedTo(agentRef: number): Promise<string[]> {
    const rows = await this.db
      .selectFrom('storepos_grants')
      .innerJoin('wechat_miniapps', 'wechat_miniapps.id', 'storepos_grants.miniapp_ref')
      .select('wechat_miniapps.appid')
      .where('storepos_grants.agent_ref', '=', agentRef)
      .orderBy('wechat_miniapps.appid')
      .execute();
    return rows.map((r) => r.appid);
  }

  async isGranted(agentRef: number, appid: string): Promise<boolean> {
    const hit = await this.cache.get(cacheKey(agentRef, appid), async () => {
      const row = await this.db
        .selectFrom('storepos_grants')
        .innerJoin('wechat_miniapps', 'wechat_miniapps.id', 'storepos_grants.miniapp_ref')
        .select('storepos_grants.agent_ref')
        .where('storepos_grants.agent_ref', '=', agentRef)
        .where('wechat_miniapps.appid', '=', appid)
        .executeTakeFirst();
      return { granted: row !== undefined };
    });
    return hit?.granted ?? false;
  }
}

const cacheKey = (agentRef: number, appid: string) => `${agentRef}\u0000${appid}`;
