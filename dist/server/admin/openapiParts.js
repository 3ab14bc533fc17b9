/** Building blocks of the admin API's OpenAPI fragments, shared by every resource's fragment. */
export const ref = (name) => ({ $ref: `#/components/schemas/${name}` });
export const json = (schema) => ({ 'application/json': { schema } });
export const ok = (description, schema, status = 200) => ({ [status]: { description, content: json(schema) } });
const ERROR_RESPONSES = { 400: 'BadRequest', 404: 'NotFound', 409: 'Conflict' };
/** The documented error replies of an operation; every admin operation can answer 401. */
export const errors = (...statuses) => ({
    ...Object.fromEntries(statuses.map((s) => [s, { $ref: `#/components/responses/${ERROR_RESPONSES[s]}` }])),
    401: { $ref: '#/components/responses/Unauthorized' },
});
export const body = (schema, required = true) => ({ required, content: json(schema) });
/** OpenAPI path parameters from the JSON schema of a route's params. */
export function pathParams(schema) {
    return Object.entries(schema.properties).map(([name, s]) => ({ name, in: 'path', required: true, schema: s }));
}
/** OpenAPI query parameters (all optional) from the JSON schema of a route's querystring. */
export function queryParams(schema) {
    return Object.entries(schema.properties).map(([name, s]) => ({ name, in: 'query', required: false, schema: s }));
}
