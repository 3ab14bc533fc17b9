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
/** The columns whose text may hold a line break. */
const MAY_BREAK = new Set(['nickname', 'devicename']);

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
    // A line break is text in a name (a CSV quoted field may hold one); no other control character is.
    if (CONTROL.test(MAY_BREAK.has(name) ? v.replace(/\r?\n/g, '') : v)) return `${name} must not contain control characters`;
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
 * The records of a CSV text, each with the line it starts on: a quoted field may hold line breaks
 * (RFC 4180), so a record runs on while its quotes are open — up to MAX_LINE characters; a quote
 * left open that long (or to the end) makes its first line a refusal, and reading goes on at the
 * next line, so one bad quote costs one row.
 */
function* csvRecords(lines: readonly string[]): Generator<{ line: number; text: string; fields: string[] | undefined }> {
  const quotes = (text: string) => text.split('"').length - 1;
  for (let i = 0; i < lines.length; i++) {
    let text = lines[i]!;
    let end = i;
    while (quotes(text) % 2 === 1 && end + 1 < lines.length && text.length <= MAX_LINE) text += `\n${lines[++end]}`;
    if (quotes(text) % 2 === 1 || (end > i && text.length > MAX_LINE)) {
      yield { line: i + 1, text: lines[i]!, fields: undefined };
      continue;
    }
    const fields = csvFields(text);
    if (fields === undefined && end > i) {
      // Joined lines that still do not read: the first line alone is the refusal.
      yield { line: i + 1, text: lines[i]!, fields: undefined };
      continue;
    }
    yield { line: i + 1, text, fields };
    i = end;
  }
}

/**
 * The lines of an import, each a row or a refusal with why. The whole import is refused
 * (InvalidInput) only when it cannot be read at all: an unknown format, a CSV without an `openid`
 * column or naming a column twice, or more than MAX_ROWS rows.
 */
export function parseImport(text: string, format: 'csv' | 'jsonl'): ParsedLine[] {
  const lines = text.replace(/^\ufeff/, '').split(/\r?\n/);
  while (lines.length > 0 && lines.at(-1)!.trim() === '') lines.pop();
  const out: ParsedLine[] = [];
  const add = (line: number, raw: string, values: () => Record<string, unknown> | string) => {
    if (out.length >= MAX_ROWS) throw new InvalidInput('file', `an import may hold at most ${MAX_ROWS} rows; split it`);
    if (raw.length > MAX_LINE) {
      out.push({ line, refused: `the line is longer than ${MAX_LINE} characters` });
      return;
    }
    const got = values();
    if (typeof got === 'string') {
      out.push({ line, refused: got });
      return;
    }
    const row = checkRow(got);
    out.push(
      typeof row === 'string'
        ? { line, ...(typeof got.openid === 'string' ? { openid: got.openid.slice(0, 64) } : {}), refused: row }
        : { line, row },
    );
  };
  if (format === 'jsonl') {
    for (const [i, raw] of lines.entries()) {
      if (raw.trim() === '') continue;
      add(i + 1, raw, () => {
        try {
          const parsed = JSON.parse(raw) as unknown;
          if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'the line is not a JSON object';
          return parsed as Record<string, unknown>;
        } catch {
          return 'the line is not a JSON object';
        }
      });
    }
    return out;
  }
  let header: string[] | undefined;
  for (const record of csvRecords(lines)) {
    if (record.text.trim() === '') continue;
    if (header === undefined) {
      header = record.fields?.map((h) => h.trim());
      if (!header?.includes('openid'))
        throw new InvalidInput(
          'file',
          "the CSV's first line must name its columns, openid among them: openid,nickname,headimg,deviceno,devicename,bindtime,bpn,sort",
        );
      const twice = header.find((h, k) => header!.indexOf(h) !== k);
      // A column named twice would keep one of its values silently: refused, the whole import.
      if (twice !== undefined)
        throw new InvalidInput('file', `the CSV's first line names the column ${JSON.stringify(twice.slice(0, 40))} twice`);
      continue;
    }
    const columns = header;
    add(record.line, record.text, () => {
      if (!record.fields) return 'the line is not CSV (an unclosed or misplaced quote)';
      if (record.fields.length !== columns.length) return `the line has ${record.fields.length} fields, the header ${columns.length}`;
      return Object.fromEntries(columns.map((h, k) => [h, record.fields![k]]));
    });
  }
  return out;
}
