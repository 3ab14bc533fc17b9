import { InvalidInput } from '../kernel/errors.ts';
import { CALL_RESULTS } from '../store/callLogRows.ts';

/** A time range and a page, newest first: the query properties every log shares (the call log, the audit trail). */
export const logWindow = {
  since: { type: 'string', maxLength: 40, description: 'inclusive: an ISO 8601 time (2026-03-01T04:00:00Z) or ms since the epoch' },
  until: { type: 'string', maxLength: 40, description: 'exclusive: an ISO 8601 time or ms since the epoch' },
  limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100, description: 'newest first, at most this many' },
  offset: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0, description: 'skip this many (the next page)' },
} as const;

/**
 * The call log's filters, as the admin API's query schema: `GET /admin/api/calls`, its export, the
 * OpenAPI document and `kaifang calls …` are all made from it. Every property but the time range
 * and the paging is an exact-match filter on the column of its name in snake_case
 * (`requestId` → `request_id`): adding a filter is its line here and its field in `CallQuery`.
 */
export const callsQuery = {
  type: 'object',
  properties: {
    front: { type: 'string', minLength: 1, maxLength: 40, description: 'only this front (opretail, storepos, …)' },
    credential: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      description: "only this credential's public id, e.g. an Opretail applicationKey or a storepos agent_id",
    },
    endpoint: { type: 'string', minLength: 1, maxLength: 200, description: 'only this endpoint or method (/m.api methods by name)' },
    outcome: {
      type: 'string',
      minLength: 1,
      maxLength: 100,
      description: "only this outcome, the front's own code as text (0, SUCCESS:10000, 200:000000, …)",
    },
    result: {
      type: 'string',
      enum: CALL_RESULTS,
      description: 'only calls with this result, the same words on every front: ok, refused, upstream_error, error',
    },
    requestId: { type: 'string', minLength: 1, maxLength: 64, description: 'only the call with this request id' },
    ...logWindow,
  },
  additionalProperties: false,
} as const;

/** The most rows one export writes (about 150 MB of CSV). */
export const EXPORT_MAX_ROWS = 1_000_000;

/** `GET /admin/api/calls/export`: the same filters, a format, and a limit up to EXPORT_MAX_ROWS (all of them by default). */
export const callsExportQuery = {
  ...callsQuery,
  properties: {
    ...callsQuery.properties,
    format: { type: 'string', enum: ['csv', 'jsonl'], description: 'csv (a header row, RFC 4180) or jsonl (one JSON object a line)' },
    limit: {
      type: 'integer',
      minimum: 1,
      maximum: EXPORT_MAX_ROWS,
      default: EXPORT_MAX_ROWS,
      description: `newest first, at most this many (up to ${EXPORT_MAX_ROWS})`,
    },
  },
  required: ['format'],
} as const;

/** The exact-match filters (every property of `callsQuery` but the time range and the paging). */
export type CallFilter = Exclude<keyof typeof callsQuery.properties, 'since' | 'until' | 'limit' | 'offset'>;
export const CALL_FILTERS = Object.keys(callsQuery.properties).filter(
  (name) => !['since', 'until', 'limit', 'offset'].includes(name),
) as CallFilter[];

/** The column a filter matches: its name in snake_case. */
export const filterColumn = (filter: string): string => filter.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export type CallQuery = { [F in CallFilter]?: string } & {
  /** Inclusive, ms since the epoch. */
  since?: number;
  /** Exclusive, ms since the epoch. */
  until?: number;
  limit?: number;
  /** Rows to skip (the next page). */
  offset?: number;
};

/**
 * A time filter: ISO 8601 with a date and a zone (or a bare date, UTC), or ms since the epoch;
 * InvalidInput naming `param` otherwise. Admin JSON writes every time as ISO 8601 UTC.
 */
export function timeParam(param: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ms = /^\d{1,16}$/.test(value)
    ? Number(value)
    : /^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d{1,3})?)?(Z|[+-]\d\d:\d\d))?$/.test(value)
      ? Date.parse(value)
      : NaN;
  if (!Number.isFinite(ms) || ms > 8_640_000_000_000_000)
    throw new InvalidInput(param, `${param} must be an ISO 8601 time such as 2026-03-01T04:00:00Z, or ms since the epoch`);
  return ms;
}
