import { digestMatches, hexDigest, valueText, type SignedParams, type SignedValue } from '../../kernel/signing.ts';

/**
 * Java's `String.CASE_INSENSITIVE_ORDER`: code unit by code unit, each folded with
 * `Character.toUpperCase` then `Character.toLowerCase` (one unit in, one unit out), then length.
 */
function caseInsensitiveCompare(a: string, b: string): number {
  const fold = (c: number) => {
    // ASCII (every name and nearly every value): upper then lower is just lower.
    if (c < 128) return c >= 65 && c <= 90 ? c + 32 : c;
    const upper = String.fromCharCode(c).toUpperCase();
    const u = upper.length === 1 ? upper : String.fromCharCode(c);
    const lower = u.toLowerCase();
    return (lower.length === 1 ? lower : u).charCodeAt(0);
  };
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const d = fold(x) - fold(y);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/**
 * 巨彩 (the Jeepay family), exactly `JeepayKit.getSign`: every top-level field but `sign` whose value
 * is not empty becomes the string `name=value&`; those strings are sorted as whole strings with
 * `String.CASE_INSENSITIVE_ORDER` (the trailing `&` takes part: it decides the order when one string
 * is a prefix of another) and concatenated, then `key=KEY` follows; MD5 of the UTF-8 bytes, emitted
 * in lowercase hex as the seed's examples. A value is signed as the text it has: the server hands
 * in a number's JSON text as it arrived (`1.50`, not `1.5`), as fastjson keeps it.
 */
export const jucai = {
  stringToSign(params: SignedParams, key: string): string {
    const parts: string[] = [];
    for (const name of Object.keys(params)) {
      if (name === 'sign') continue;
      const text = valueText(params[name]);
      if (text !== '') parts.push(name + '=' + text + '&');
    }
    parts.sort(caseInsensitiveCompare);
    return parts.join('') + 'key=' + key;
  },
  sign(params: SignedParams, key: string): string {
    return hexDigest('md5', jucai.stringToSign(params, key));
  },
  /**
   * `stringToSign` for records that always have the field names `names` (a reply's `data`), with
   * their order settled once instead of sorted on every call. It is the same string: when no name
   * contains `=` and no two names differ only in case, every two `name=value&` strings differ
   * within their names (at the latest where the shorter name's `=` meets a letter of the longer),
   * so the values never decide the order. Names that break that rule are refused.
   */
  orderedFor<K extends string>(names: readonly K[]): (fields: Readonly<Record<K, SignedValue>>, key: string) => string {
    for (const name of names) {
      if (name.includes('=') || name === 'sign') throw new Error(`jucai.orderedFor: the field name ${name} cannot have a fixed order`);
      for (const other of names)
        if (other !== name && caseInsensitiveCompare(name, other) === 0)
          throw new Error(`jucai.orderedFor: ${name} and ${other} differ only in case`);
    }
    const order = [...names].sort((a, b) => caseInsensitiveCompare(a + '=', b + '='));
    return (fields, key) => {
      let text = '';
      for (const name of order) {
        const value = valueText(fields[name]);
        if (value !== '') text += name + '=' + value + '&';
      }
      return text + 'key=' + key;
    };
  },
  verify(params: SignedParams, key: string, signature: string): boolean {
    return digestMatches('md5', jucai.stringToSign(params, key), signature);
  },
};
