import { wechatPayV2 } from '../../kernel/signing.ts';

/**
 * 超赢 (storepos) signs its form fields exactly as WeChat Pay API v2 signs XML fields: non-empty
 * parameters except `sign`, sorted, `name=value&…&key=KEY`, MD5, uppercase hex.
 */
export const storepos = wechatPayV2;
