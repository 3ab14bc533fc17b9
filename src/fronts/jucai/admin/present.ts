import type { JucaiApp, JucaiAppWithSecret } from '../domain/apps.ts';
import type { Channel } from '../domain/channels.ts';
import type { Isv, Merchant } from '../domain/organization.ts';

/** How the admin API and the CLI show the 巨彩 organisation. Secrets only right after they were made. */

const status = (enabled: boolean) => (enabled ? 'enabled' : 'disabled');
const iso = (ms: number) => new Date(ms).toISOString();

export function presentIsv(isv: Isv) {
  return { isvNo: isv.isvNo, name: isv.name, status: status(isv.enabled), createdAt: iso(isv.createdAt), updatedAt: iso(isv.updatedAt) };
}
export type IsvView = ReturnType<typeof presentIsv>;

export function presentMerchant(m: Merchant) {
  return {
    mchNo: m.mchNo,
    isvNo: m.isvNo,
    name: m.name,
    status: status(m.enabled),
    ratePerSecond: m.ratePerSecond,
    appRatePerSecond: m.appRatePerSecond,
    createdAt: iso(m.createdAt),
    updatedAt: iso(m.updatedAt),
  };
}
export type MerchantView = ReturnType<typeof presentMerchant>;

export function presentApp(app: JucaiApp | JucaiAppWithSecret, mchNo: string) {
  return {
    appId: app.appId,
    mchNo,
    name: app.name,
    status: status(app.enabled),
    ...('secret' in app ? { secret: app.secret } : {}),
    createdAt: iso(app.createdAt),
    updatedAt: iso(app.updatedAt),
  };
}
export type AppView = ReturnType<typeof presentApp> & { warnings?: string[] };

/** A channel; the bridge secret is never shown. */
export function presentChannel(c: Channel) {
  return c.wayCode === 'WECHAT'
    ? {
        wayCode: c.wayCode,
        status: status(c.enabled),
        wechatPayMchId: c.wechatPayMchId,
        subMchId: c.subMchId,
        subAppid: c.subAppid,
        updatedAt: iso(c.updatedAt),
      }
    : { wayCode: c.wayCode, status: status(c.enabled), bridgeUrl: c.bridgeUrl, merchantNo: c.merchantNo, updatedAt: iso(c.updatedAt) };
}
export type ChannelView = ReturnType<typeof presentChannel>;
