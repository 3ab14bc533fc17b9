/**
 * The 万店掌 gateway's reply as it travels (opretail.md), written once: the server builds it, the
 * typed client reads it. Types only.
 */

export interface OpretailStat {
  cid: string;
  code: number;
  codename: string;
  systime: number;
}

/** Every reply, JSON or XML (`<response>`): `stat`, `result`, and `data` (null on every error). */
export interface OpretailResponse<T = unknown> {
  stat: OpretailStat;
  result: string;
  data: T | null;
}

/** `data` of `open.gateway.authentication`: the caller's developer record (seed field names). */
export interface OpretailDeveloperRecord {
  id: number;
  username: string;
  applicationId: string;
  applicationKey: string;
  applicationSecret: string;
  keytype: number;
  ifexpire: number;
  expire: string | null;
  enterpriseId: number;
  shopwebEnterpriseId: number | null;
  switchStatus: string;
  switchTime: string | null;
  developerType: number;
  supplierAccount: string | null;
}
