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

const DAY_MS = 86_400_000;
let lastDay = { index: NaN, text: '' };

/** `yyyy-MM-dd`, the CST calendar day; used to key daily quotas (so on every signed call: memoised). */
export function formatDay(ms: number): string {
  const index = Math.floor((ms + CST_OFFSET_MS) / DAY_MS);
  if (index !== lastDay.index) lastDay = { index, text: formatDateTime(ms).slice(0, 10) };
  return lastDay.text;
}

/** Milliseconds until the next CST midnight, so daily quotas reset on the Chinese calendar day. */
export function msUntilNextDay(ms: number): number {
  return DAY_MS - ((ms + CST_OFFSET_MS) % DAY_MS);
}

function daysInMonth(y: number, mo: number): number {
  if (mo === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return mo === 4 || mo === 6 || mo === 9 || mo === 11 ? 30 : 31;
}

function fromFields(y: number, mo: number, d: number, h: number, mi: number, s: number): number | null {
  // Years below 100 are refused: Date.UTC would read them as 19xx.
  if (y < 100 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return null;
  return Date.UTC(y, mo - 1, d, h, mi, s) - CST_OFFSET_MS;
}

/** The decimal value of `text[from, from + length)`, or -1 if any of it is not an ASCII digit. */
function digitsAt(text: string, from: number, length: number): number {
  let n = 0;
  for (let i = from; i < from + length; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** Parses `yyyyMMddHHmmss` as CST; null if it is not a real date and time. (Every signed Opretail call: no regex.) */
export function parseCompact(text: string): number | null {
  if (text.length !== 14) return null;
  const fields = [
    digitsAt(text, 0, 4),
    digitsAt(text, 4, 2),
    digitsAt(text, 6, 2),
    digitsAt(text, 8, 2),
    digitsAt(text, 10, 2),
    digitsAt(text, 12, 2),
  ] as const;
  if (fields.includes(-1)) return null;
  return fromFields(...fields);
}

/** Parses `yyyy-MM-dd HH:mm:ss` (or `yyyy-MM-dd`) as CST; null if it is not a real date. */
export function parseDateTime(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2}))?$/.exec(text);
  if (!m) return null;
  const [y, mo, d] = m.slice(1, 4).map(Number) as [number, number, number];
  const [h, mi, s] = m[4] === undefined ? [0, 0, 0] : (m.slice(4, 7).map(Number) as [number, number, number]);
  return fromFields(y, mo, d, h, mi, s);
}
