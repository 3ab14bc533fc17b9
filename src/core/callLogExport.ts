import type { CallLog, CallQuery, CallRecord } from './callLog.ts';

/**
 * The call log written out: as the admin API's JSON (`presentCall`), as CSV or as JSON lines
 * (`exportCalls`), shared by `GET /admin/api/calls/export` and `kaifang calls export`.
 */

export type ExportFormat = 'csv' | 'jsonl';

/** A call as the admin API shows it: its time in ISO 8601 UTC. */
export function presentCall(call: CallRecord): Omit<CallRecord, 'at'> & { at: string } {
  return { ...call, at: new Date(call.at).toISOString() };
}

/** The CSV's columns, in order: the admin API's field names. */
export const CSV_COLUMNS = ['at', 'front', 'endpoint', 'credential', 'outcome', 'result', 'latencyMs', 'requestId'] as const;

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, a quote or a line break, its quotes
 * doubled. A cell a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage
 * return) is prefixed with a single quote — unless it is a plain number, as the outcome codes -500
 * or -1 are, which a spreadsheet reads as a number anyway. A null is an empty cell.
 */
export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text) && !/^[+-]?\d+(\.\d+)?$/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function csvLine(call: CallRecord): string {
  const shown = presentCall(call) as Record<string, unknown>;
  return `${CSV_COLUMNS.map((column) => csvCell(shown[column])).join(',')}\r\n`;
}

/** The calls `q` selects, newest first, as text chunks of `format` (a page of rows each): CSV starts with its header row. */
export async function* exportCalls(callLog: CallLog, q: CallQuery, format: ExportFormat): AsyncGenerator<string> {
  if (format === 'csv') yield `${CSV_COLUMNS.join(',')}\r\n`;
  for await (const page of callLog.pages(q)) {
    yield page.map(format === 'csv' ? csvLine : (call) => `${JSON.stringify(presentCall(call))}\n`).join('');
  }
}
