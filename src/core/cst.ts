/**
 * China Standard Time (UTC+8, no daylight saving) formatting and parsing. The platforms kaifang
 * serves express times in CST whatever the host's zone, so this never touches the local zone.
 */
const CST_OFFSET_MS = 8 * 3600_000;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function parts(ms: number) {
  const d = new Date(ms + CST_OFFSET_MS);
  return {
    y: d.getUTCFullYear(),
    mo: d.getUTCMonth() + 1,
    d: d.getUTCDate(),
    h: d.getUTCHours(),
    mi: d.getUTCMinutes(),
    s: d.getUTCSeconds(),
  };
}

/** `yyyyMMddHHmmss` */
export function formatCompact(ms: number): string {
  const p = parts(ms);
  return `${pad(p.y, 4)}${pad(p.mo)}${pad(p.d)}${pad(p.h)}${pad(p.mi)}${pad(p.s)}`;
}

/** `yyyy-MM-dd HH:mm:ss` */
export function formatDateTime(ms: number): string {
  const p = parts(ms);
  return `${pad(p.y, 4)}-${pad(p.mo)}-${pad(p.d)} ${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}`;
}

/** `yyyy-MM-dd`, the CST calendar day; used to key daily quotas. */
export function formatDay(ms: number): string {
  return formatDateTime(ms).slice(0, 10);
}

/** Milliseconds until the next CST midnight, so daily quotas reset on the Chinese calendar day. */
export function msUntilNextDay(ms: number): number {
  const day = 86_400_000;
  return day - ((ms + CST_OFFSET_MS) % day);
}

function fromFields(y: number, mo: number, d: number, h: number, mi: number, s: number): number | null {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return null;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s) - CST_OFFSET_MS;
  // Reject dates that Date.UTC rolls over (e.g. 0230 -> 0302).
  const back = parts(ms);
  if (back.y !== y || back.mo !== mo || back.d !== d) return null;
  return ms;
}

/** Parses `yyyyMMddHHmmss` as CST; null if it is not a real date and time. */
export function parseCompact(text: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  return fromFields(y, mo, d, h, mi, s);
}

/** Parses `yyyy-MM-dd HH:mm:ss` (or `yyyy-MM-dd`) as CST; null if it is not a real date. */
export function parseDateTime(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2}))?$/.exec(text);
  if (!m) return null;
  const [y, mo, d] = m.slice(1, 4).map(Number) as [number, number, number];
  const [h, mi, s] = m[4] === undefined ? [0, 0, 0] : (m.slice(4, 7).map(Number) as [number, number, number]);
  return fromFields(y, mo, d, h, mi, s);
}
