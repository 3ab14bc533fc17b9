import type { Generated } from 'kysely';

/**
 * The 微厅 (weiting) front's tables, typed for Kysely. They join the platform's `Database` by
 * declaration merging, so the store's type holds exactly the tables of the fronts that exist.
 */
declare module '../../store/schema.ts' {
  interface Database {
    weiting_apps: WeitingAppTable;
    weiting_users: WeitingUserTable;
    weiting_bindings: WeitingBindingTable;
    weiting_reports: WeitingReportTable;
    weiting_notices: WeitingNoticeTable;
  }
}

export interface WeitingAppTable {
  id: Generated<number>;
  appid: string;
  name: string;
  secret_sealed: string;
  /** JSON array of host names. */
  allowed_hosts: string;
  daily_token_limit: number | null;
  enabled: number;
  created_at: number;
  updated_at: number;
}

export interface WeitingUserTable {
  id: Generated<number>;
  public_id: string;
  openid: string;
  nickname: string;
  headimg: string;
  created_at: number;
  updated_at: number;
}

export interface WeitingBindingTable {
  id: Generated<number>;
  user_ref: number;
  deviceno: string;
  devicename: string;
  bpn: string;
  sort: string;
  bound_at: number;
}

export interface WeitingReportTable {
  id: Generated<number>;
  app_ref: number;
  kind: 'login' | 'order';
  order_no: string | null;
  openid: string;
  deviceno: string;
  payload: string;
  created_at: number;
}

export interface WeitingNoticeTable {
  id: Generated<number>;
  app_ref: number;
  openid: string;
  fields: string;
  outcome: 'sent' | 'refused' | 'unavailable' | 'limited';
  msgid: string | null;
  reason: string | null;
  created_at: number;
}
