import type { Generated } from 'kysely';

/**
 * The 万店掌 (Opretail) front's tables, typed for Kysely. They join the platform's `Database` by
 * declaration merging, so the store's type holds exactly the tables of the fronts that exist.
 */
declare module '../../store/schema.ts' {
  interface Database {
    opretail_developer_keys: OpretailDeveloperKeyTable;
    opretail_methods: OpretailMethodTable;
    opretail_grants: OpretailGrantTable;
  }
}

export interface OpretailDeveloperKeyTable {
  id: Generated<number>;
  username: string;
  application_id: string;
  application_key: string;
  application_secret_sealed: string;
  keytype: number;
  expire: number | null;
  enterprise_id: number;
  shopweb_enterprise_id: number | null;
  switch_status: number;
  switch_time: number | null;
  developer_type: number;
  supplier_account: string | null;
  rate_per_second: number | null;
  rate_per_day: number | null;
  created_at: number;
  updated_at: number;
}

export interface OpretailMethodTable {
  id: Generated<number>;
  name: string;
  version: string;
  url: string;
  test_url: string | null;
  timeout_ms: number | null;
  enabled: number;
  rate_per_second: number | null;
  rate_per_day: number | null;
  description: string | null;
  created_at: number;
  updated_at: number;
}

export interface OpretailGrantTable {
  key_id: number;
  method_id: number;
  created_at: number;
}
