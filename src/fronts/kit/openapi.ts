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

/** The admin API's one list shape: the records under their plural name, with `total`, `limit` and `offset`. */
export const listOf = (field: string, item: unknown) => ({
  type: 'object',
  required: [field, 'total', 'limit', 'offset'],
  properties: {
    [field]: { type: 'array', items: item },
    total: { type: 'integer', description: 'how many match the same filter (`q`, …), all pages' },
    limit: { type: 'integer' },
    offset: { type: 'integer' },
  },
});

/**
 * `POST <base>/rotate-secret` (kaifang makes the secret up; absent where the secret is issued
 * elsewhere, as WeChat's are) and `POST <base>/set-secret` (`{ "secret" }`).
 */
export function secretPaths(
  tag: string,
  base: string,
  parameters: unknown[],
  item: unknown,
  options: { rotate: boolean; setBody: unknown; what: string },
): Record<string, Record<string, Json>> {
  const paths: Record<string, Record<string, Json>> = {
    [`${base}/set-secret`]: {
      post: operation(tag, `Set the ${options.what}'s secret to the one given`, {
        parameters,
        requestBody: body(options.setBody),
        responses: { ...ok('the record after the change', item), ...errors(400, 404) },
      }),
    },
  };
  if (options.rotate)
    paths[`${base}/rotate-secret`] = {
      post: operation(tag, `Give the ${options.what} a new random secret, shown once as \`secret\``, {
        parameters,
        description: 'A body `{ "<secret field>": "…" }` is the deprecated form of set-secret, still taken.',
        responses: { ...ok('the record with `secret`, shown this once', item), ...errors(400, 404) },
      }),
    };
  return paths;
}

/** `DELETE <record>`: `deletes` says what goes with it; `cascade` where records hang off it (409 without). */
export function deleteOperation(
  tag: string,
  what: string,
  parameters: unknown[],
  deletes: string,
  cascade?: { properties: Record<string, unknown> },
): Json {
  return operation(tag, `Delete the ${what}: ${deletes}`, {
    parameters: [...parameters, ...(cascade ? queryParams(cascade) : [])],
    responses: { ...ok('what was deleted', { type: 'object' }), ...errors(404, ...(cascade ? ([409] as const) : [])) },
  });
}
