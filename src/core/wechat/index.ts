import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.ts';
import type { Clock } from '../clock.ts';
import type { SecretBox } from '../secrets.ts';
import { MiniPrograms } from './miniPrograms.ts';

/**
 * Every kind of WeChat app whose secrets the platform holds for its partners, whichever front uses
 * it: mini-programs (storepos login). One instance per process, shared by the fronts and the
 * admin API, so a change made through either is seen by both at once.
 */
export interface WechatApps {
  readonly miniPrograms: MiniPrograms;
}

export function createWechatApps(deps: { db: Kysely<Database>; box: SecretBox; clock: Clock; cache: { size: number; ttlMs: number } }): WechatApps {
  return { miniPrograms: new MiniPrograms(deps.db, deps.box, deps.clock, deps.cache) };
}
