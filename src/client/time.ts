/**
 * China Standard Time (UTC+8, no daylight saving) as `yyyyMMddHHmmss`, the gateway's `_timestamp`.
 * The clients carry their own copy so that they ship without the server's modules.
 */
export function chinaTimestamp(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().replace(/[-T:]/g, '').slice(0, 14);
}
