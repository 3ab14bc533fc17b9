/**
 * The 微厅 wire, written once: the fields each endpoint takes and the replies it gives (weiting.md,
 * the seed's shapes). Types only, importing nothing: the server (routes.ts, reply.ts) answers in
 * them and the typed client (client.ts) sends and reads them.
 */

/** `GET /service/1.0/access/token?appid=&secret=`. */
export type AccessTokenReply = { data: string; status: 200; info: 0 } | { status: 40001 | 45009; errMsg: string };

/** `POST …/wxoauth/2.0/getBaseUrl` (`state`: the partner's URL to come back to). */
export interface BaseUrlRequest {
  state: string;
}
export type BaseUrlReply = { status: 200; redirect: string } | { status: 40002 | 40005; errMsg: string };

/** `POST …/wxoauth/2.0/getOpenidByCode`. */
export interface OpenidByCodeRequest {
  code: string;
}
export type OpenidByCodeReply = { status: 200; openid: string } | { status: 40005; errMsg: string };

/** One bound device in `user/info`'s `accounts` (times China time, `yyyy-MM-dd HH:mm:ss`). */
export interface WeitingDevice {
  deviceno: string;
  devicename: string;
  bindtime: string;
  bindtdate: string;
  bpn: string;
  sort: string;
}

/** `user/info`'s `result` (times ISO 8601 UTC). */
export interface WeitingUserInfo {
  _id: string;
  openid: string;
  nickname: string;
  headimg: string;
  __v: 0;
  updateAt: string;
  createAt: string;
  accounts: WeitingDevice[];
}

/** `GET /service/1.0/user/info?openid=`. */
export type UserInfoReply =
  | { result: WeitingUserInfo; flag: 0 }
  | { result: null; flag: 1 }
  | { result: null; flag: 1; errMsg: string }
  | { status: 40005; errMsg: string };

/** `POST /service/1.0/sendPrizeNotice`. */
export interface PrizeNoticeFields {
  openid: string;
  first: string;
  activity: string;
  prize: string;
  remark: string;
  url?: string;
}
export type PrizeNoticeReply =
  | { status: 200; result: '发送成功' }
  | { status: 0; result: '发送失败' }
  | { status: 0; result: '发送失败'; errMsg: string }
  | { status: 40005 | 409; errMsg: string };

/** `POST /service/weekBind/create`: the partner's report that the user logged in with a device. */
export interface LoginReport {
  openid: string;
  deviceno: string;
  /** Required (the seed's example: "1"). */
  channel: string;
  /** Required (the seed's example: "love flow"). */
  from: string;
  operators?: string;
  qcellcore?: string;
}

/** `POST /service/flowOrders/create`: a data-plan order. */
export interface OrderReport extends LoginReport {
  traffic_package_name: string;
  /** `yyyy-MM-dd` or `yyyy-MM-dd HH:mm:ss`. */
  transaction_date?: string;
}

/** Both reports' reply: `data` is "success", the order number, or what is wrong. */
export type ReportReply = { data: string; status: 200 | 0 | 409; info: 0 };

/** `GET /service/appOauthen/Ticket?ticket=`: the seed's nested diagnostic when no number. */
export interface TicketDiagnostic {
  CAPRoot: {
    SessionHeader: {
      TransactionID: string[];
      ActionCode: string[];
      RspTime: string[];
      Response: { RspType: string[]; RspCode: string[]; RspDesc: string[] }[];
    }[];
  };
}
export type TicketReply =
  | { errcode: 0; data: { mobile: string } }
  | { errcode: 1; data: { mobile: 'ticket必须给出' } }
  | { errcode: 1; data: '手机号码获取异常'; msg: TicketDiagnostic }
  | { status: 40005; errMsg: string };

/** Every endpoint but the token's, for a missing, unknown, expired or disabled token. */
export interface TokenRefusedReply {
  status: 0;
  errMsg: 'access_token校验异常';
}
