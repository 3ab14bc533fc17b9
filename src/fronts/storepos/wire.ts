/**
 * The 超赢 agent API's replies as they travel (storepos.md), written once: the server builds them,
 * the typed client reads them. Types only.
 */

export type StoreposState = 'SUCCESS' | 'FAIL' | 'VER';

/** Every reply: `state`, `code`, `msg`, the endpoint's own fields, and `sign` over them. */
export interface StoreposReply {
  state: StoreposState;
  code: string;
  msg: string;
  sign: string;
  [field: string]: unknown;
}

/** `/Open/WXA_Code2Session`'s fields on success. */
export interface Code2SessionReply extends StoreposReply {
  openid?: string;
  session_key?: string;
  expires_in?: number;
  unionid?: string;
}
