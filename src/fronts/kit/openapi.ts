/**
 * The OpenAPI vocabulary of kaifang: a fragment (what one part of kaifang adds to the document)
 * and the building blocks of the admin operations. The server merges the fragments of the platform
 * and of every front into `/openapi.json`; this module imports nothing, so nothing circles.
 */

type Json = Record<string, unknown>;

export interface OpenApiFragment {
  tags?: { name: string; description: string }[];
  /** Full paths, e.g. `/admin/api/opretail/keys/{akey}`; a path may be split across fragments by method. */
  paths: Record<string, Record<string, Json>>;
  components?: { schemas?: Record<string, unknown>; parameters?: Record<string, unknown>; responses?: Record<string, unknown> };
}

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const json = (schema: unknown) => ({ 'application/json': { schema } });
export const ok = (description: string, schema: unknown, status = 200) => ({ [status]: { description, content: json(schema) } });

const ERROR_RESPONSES = { 400: 'BadRequest', 404: 'NotFound', 409: 'Conflict' } as const;

/** The documented error replies of an admin operation; every admin operation can answer 401. */
export const errors = (...statuses: (keyof typeof ERROR_RESPONSES)[]) => ({
  ...Object.fromEntries(statuses.map((s) => [s, { $ref: `#/components/responses/${ERROR_RESPONSES[s]}` }])),
  401: { $ref: '#/components/responses/Unauthorized' },
});

export const body = (schema: unknown, required = true) => ({ required, content: json(schema) });

/** OpenAPI path parameters from the JSON schema of a route's params. */
export function pathParams(schema: { properties: Record<string, unknown> }) {
  return Object.entries(schema.properties).map(([name, s]) => ({ name, in: 'path', required: true, schema: s }));
}

/** OpenAPI query parameters (all optional) from the JSON schema of a route's querystring. */
export function queryParams(schema: { properties: Record<string, unknown> }) {
  return Object.entries(schema.properties).map(([name, s]) => ({ name, in: 'query', required: false, schema: s }));
}

/** An admin operation under `tag`. */
export const operation = (tag: string, summary: string, extra: Record<string, unknown>) => ({ tags: [tag], summary, ...extra });

export const TIMESTAMP = { type: 'string', format: 'date-time', description: 'ISO 8601, UTC' } as const;
export const STATUS = { type: 'string', enum: ['enabled', 'disabled'] } as const;
