import type { Generated } from 'kysely';

/**
 * The 超赢 (storepos) front's tables, typed for Kysely. They join the platform's `Database` by
 * declaration merging, so the store's type holds exactly the tables of the fronts that exist.
 */
declare module '../../store/schema.ts' {
  interface Database {
    storepos_agents: StoreposAgentTable;
    storepos_grants: StoreposGrantTable;
  }
}

export interface StoreposAgentTable {
  id: Generated<number>;
  /** The agent number callers send as `agent_id` (17 digits when kaifang generates it). */
  agent_id: string;
  name: string;
  key_sealed: string;
  enabled: number;
  /** Own SMS sends per CST day; null = KAIFANG_STOREPOS_SMS_PER_AGENT_PER_DAY. */
  sms_daily_cap: number | null;
  created_at: number;
  updated_at: number;
}

export interface StoreposGrantTable {
  agent_ref: number;
  miniapp_ref: number;
  created_at: number;
}
