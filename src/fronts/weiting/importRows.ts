import { parse } from 'csv-parse/sync';
import { parseDateTime } from '../../kernel/cst.ts';
import { InvalidInput } from '../../kernel/errors.ts';
import { DEVICENO_PATTERN, OPENID_PATTERN, type ImportRow } from './domain/users.ts';

/**
 * The operator's import of existing users and bindings: CSV with a header line, or JSON lines (one
 * object per line). The columns: `openid` (required), `nickname`, `headimg`, `deviceno`,
 * `devicename`, `bindtime` (China time `yyyy-MM-dd HH:mm:ss`, or ISO 8601), `bpn`, `sort`. A row
 * is one user and at most one of their devices; a user with several devices has several rows.
 */

export const COLUMNS = ['openid', 'nickname', 'headimg', 'deviceno', 'devicename', 'bindtime', 'bpn', 'sort'] as const;
export const MAX_ROWS = 10_000;
export const MAX_LINE = 4096;

/** One line of the import: a row to import, or why it cannot be. */
export type ParsedLine = { line: number; row: ImportRow } | { line: number; openid?: string; refused: string };

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this pattern is for
const CONTROL = /[\u0000-\u001f\u007f]/;

/** One CSV line's fields (RFC 4180 quoting, by csv-parse), or undefined when the line is not CSV. */
function csvFields(line: string): string[] | undefined {
  try {
    const rows = parse(line) as string[][];
    return rows.length === 1 ? rows[0] : undefined;
  } catch {
    return undefined;
  }
}

/** Checks one row's values; the reason it is refused, or the row. */
function checkRow(values: Record<string, unknown>): ImportRow | string {
  for (const name of Object.keys(values))
    if (!(COLUMNS as readonly string[]).includes(name)) return `unknown column ${JSON.stringify(name.slice(0, 40))}`;
  const text: Record<string, string> = {};
  for (const name of COLUMNS) {
    const v = values[name];
    if (v === undefined || v === null || v === '') continue;
    if (typeof v !== 'string') return `${name} must be text`;
    if (CONTROL.test(v)) return `${name} must not contain control characters`;
    text[name] = v;
  }
  if (!text.openid) return 'openid is required';
  if (!OPENID_PATTERN.test(text.openid)) return 'openid must be 6–64 letters, digits, _ or -';
  if (text.nickname !== undefined && text.nickname.length > 64) return 'nickname is longer than 64 characters';
  if (text.headimg !== undefined && (!/^https?:\/\/\S+$/.test(text.headimg) || text.headimg.length > 512))
    return 'headimg must be an http(s) URL of at most 512 characters';
  if (text.deviceno !== undefined && !DEVICENO_PATTERN.test(text.deviceno)) return 'deviceno must be 7–20 digits';
  for (const name of ['devicename', 'bpn', 'sort'] as const) {
    if (text[name] !== undefined && text.deviceno === undefined) return `${name} needs a deviceno`;
    if (text[name] !== undefined && text[name].length > 64) return `${name} is longer than 64 characters`;
  }
  let bindtime: number | undefined;
  if (text.bindtime !== undefined) {
    if (text.deviceno === undefined) return 'bindtime needs a deviceno';
    const ms = parseDateTime(text.bindtime) ?? (/^\d{4}-\d\d-\d\dT/.test(text.bindtime) ? Date.parse(text.bindtime) : NaN);
    if (ms === null || !Number.isFinite(ms)) return 'bindtime must be a China time yyyy-MM-dd HH:mm:ss or an ISO 8601 time';
    bindtime = ms;
  }
  return {
    openid: text.openid,
    ...(text.nickname !== undefined ? { nickname: text.nickname } : {}),
    ...(text.headimg !== undefined ? { headimg: text.headimg } : {}),
    ...(text.deviceno !== undefined ? { deviceno: text.deviceno } : {}),
    ...(text.devicename !== undefined ? { devicename: text.devicename } : {}),
    ...(bindtime !== undefined ? { bindtime } : {}),
    ...(text.bpn !== undefined ? { bpn: text.bpn } : {}),
    ...(text.sort !== undefined ? { sort: text.sort } : {}),
  };
}

/**
 * The lines of an import, each a row or a refusal with why. The whole import is refused
 * (InvalidInput) only when it cannot be read at all: an unknown format, a CSV without an `openid`
 * column, or more than MAX_ROWS rows.
 */
export function parseImport(text: string, format: 'csv' | 'jsonl'): ParsedLine[] {
  const lines = text.replace(/^\ufeff/, '').split(/\r?\n/);
  while (lines.length > 0 && lines.at(-1)!.trim() === '') lines.pop();
  const out: ParsedLine[] = [];
  let header: string[] | undefined;
  for (const [i, raw] of lines.entries()) {
    const line = i + 1;
    if (raw.trim() === '') continue;
    if (format === 'csv' && header === undefined) {
      header = csvFields(raw)?.map((h) => h.trim());
      if (!header?.includes('openid'))
        throw new InvalidInput(
          'file',
          "the CSV's first line must name its columns, openid among them: openid,nickname,headimg,deviceno,devicename,bindtime,bpn,sort",
        );
      continue;
    }
    if (out.length >= MAX_ROWS) throw new InvalidInput('file', `an import may hold at most ${MAX_ROWS} rows; split it`);
    if (raw.length > MAX_LINE) {
      out.push({ line, refused: `the line is longer than ${MAX_LINE} characters` });
      continue;
    }
    let values: Record<string, unknown>;
    if (format === 'csv') {
      const fields = csvFields(raw);
      if (!fields) {
        out.push({ line, refused: 'the line is not CSV (an unclosed or misplaced quote)' });
        continue;
      }
      if (fields.length !== header!.length) {
        out.push({ line, refused: `the line has ${fields.length} fields, the header ${header!.length}` });
        continue;
      }
      values = Object.fromEntries(header!.map((h, k) => [h, fields[k]]));
    } else {
      try {
        const parsed = JSON.parse(raw) as unknown;
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
        values = parsed as Record<string, unknown>;
      } catch {
        out.push({ line, refused: 'the line is not a JSON object' });
        continue;
      }
    }
    const row = checkRow(values);
    out.push(
      typeof row === 'string'
        ? { line, ...(typeof values.openid === 'string' ? { openid: values.openid.slice(0, 64) } : {}), refused: row }
        : { line, row },
    );
  }
  return out;
}
