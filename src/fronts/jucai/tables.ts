import type { Generated } from 'kysely';

/**
 * The 巨彩 (jucai) front's tables, typed for Kysely. They join the platform's `Database` by
 * declaration merging, so the store's type holds exactly the tables of the fronts that exist.
 */
declare module '../../store/schema.ts' {
  interface Database {
    jucai_isvs: JucaiIsvTable;
    jucai_merchants: JucaiMerchantTable;
    jucai_apps: JucaiAppTable;
    jucai_channels: JucaiChannelTable;
  }
}

export interface JucaiIsvTable {
  id: Generated<number>;
  /** `ISV_…`, the `orgId` of replies. */
  isv_no: string;
  name: string;
  enabled: number;
  created_at: number;
  updated_at: number;
}

export interface JucaiMerchantTable {
  id: Generated<number>;
  /** `MCH_…`, the `mchNo` callers send. */
  mch_no: string;
  isv_ref: number;
  name: string;
  enabled: number;
  /** Calls per second for the whole merchant; null = KAIFANG_JUCAI_MCH_RATE_PER_SECOND. */
  rate_per_second: number | null;
  /** Calls per second for each of its apps; null = KAIFANG_JUCAI_APP_RATE_PER_SECOND. */
  app_rate_per_second: number | null;
  created_at: number;
  updated_at: number;
}

export interface JucaiAppTable {
  id: Generated<number>;
  app_id: string;
  mch_ref: number;
  name: string;
  secret_sealed: string;
  enabled: number;
  created_at: number;
  updated_at: number;
}

export interface JucaiChannelTable {
  mch_ref: number;
  way_code: string;
  /** `<mch_ref>:<way_code>` (010): the id the sealed-credential base names the row by (its bridge secret). Null only before 010 ran. */
  channel_key: string | null;
  enabled: number;
  wechat_pay_mch_id: string | null;
  sub_mch_id: string | null;
  sub_appid: string | null;
  bridge_url: string | null;
  bridge_merchant_no: string | null;
  bridge_secret_sealed: string | null;
  created_at: number;
  updated_at: number;
}
