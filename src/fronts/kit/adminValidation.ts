import type { FastifyInstance, FastifySchemaValidationError } from 'fastify';
import { Ajv, type AnySchema, type ValidateFunction } from 'ajv';
import { InvalidInput } from '../../kernel/errors.ts';

/*
 * Fastify's default Ajv coerces JSON bodies (`true` becomes 1, `null` becomes 0) and silently
 * drops unknown properties, so a typo such as `enterprise_id` would be accepted and ignored. An
 * operator's request should instead fail naming the field. Bodies are therefore validated strictly;
 * only the query string and path parameters, which are text by nature, are coerced.
 * (`ajv` is the copy Fastify itself installs.)
 */
const strict = new Ajv({ allowUnionTypes: true, coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false });
const coercing = new Ajv({ allowUnionTypes: true, coerceTypes: true, removeAdditional: false, useDefaults: true, allErrors: false });

/** Installs strict validation in an encapsulated admin plugin; a failure becomes `InvalidInput` (400 with `param`). */
export function useStrictValidation(app: FastifyInstance): void {
  app.setValidatorCompiler(({ schema, httpPart }) =>
    noNul(httpPart === 'body' ? strict.compile(schema as AnySchema) : finiteOnly(coercing.compile(schema as AnySchema))),
  );
  app.setSchemaErrorFormatter((errors, context) => describe(errors[0], context));
}

type AjvError = FastifySchemaValidationError & { params: Record<string, unknown> };

/**
 * Coercion turns query text such as `1e400` into Infinity, which Ajv lets through as an integer
 * within any bound; a parameter that is not a finite number is refused here instead.
 */
function finiteOnly(validate: ValidateFunction): ValidateFunction {
  const checked = ((data: unknown) => {
    if (!validate(data)) {
      checked.errors = validate.errors;
      return false;
    }
    const bad = Object.entries((data ?? {}) as Record<string, unknown>).find(([, v]) => typeof v === 'number' && !Number.isFinite(v));
    checked.errors = bad
      ? [
          {
            instancePath: `/${bad[0]}`,
            schemaPath: '',
            keyword: 'type',
            params: { type: 'finite number' },
            message: 'must be a finite number',
          },
        ]
      : null;
    return bad === undefined;
  }) as ValidateFunction;
  return checked;
}

/** Where in `value` a text holds a NUL character (`a.b.0`), or undefined: JSON and URLs can carry one, PostgreSQL text cannot. */
function nulAt(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, inner] of Object.entries(value)) {
    if (key.includes('\u0000')) return path === '' ? key : `${path}/${key}`;
    const found = nulAt(inner, path === '' ? `/${key}` : `${path}/${key}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Refuses a NUL character in any text of the admin API's input (body, query, path), on every
 * backend alike: SQLite would store it, PostgreSQL fails the query. The one place it is checked.
 */
function noNul(validate: ValidateFunction): ValidateFunction {
  const checked = ((data: unknown) => {
    if (!validate(data)) {
      checked.errors = validate.errors;
      return false;
    }
    const at = nulAt(data, '');
    checked.errors =
      at === undefined
        ? null
        : [
            {
              instancePath: at.startsWith('/') ? at : `/${at}`,
              schemaPath: '',
              keyword: 'nul',
              params: {},
              message: 'must not contain a NUL character',
            },
          ];
    return at === undefined;
  }) as ValidateFunction;
  return checked;
}

/** One Ajv error as an `InvalidInput` naming the field in the operator's terms. */
function describe(error: FastifySchemaValidationError | undefined, context: string): InvalidInput {
  const where = context === 'querystring' ? 'query parameter' : context === 'params' ? 'path parameter' : 'field';
  if (!error) return new InvalidInput(context, `the ${context} is invalid`);
  const e = error as AjvError;
  const path = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
  switch (e.keyword) {
    case 'required': {
      const name = joinPath(path, String(e.params.missingProperty));
      return new InvalidInput(name, `${where} ${name} is required`);
    }
    case 'additionalProperties': {
      const name = joinPath(path, String(e.params.additionalProperty));
      return new InvalidInput(name, `unknown ${where} ${name}`);
    }
    case 'minProperties':
      return new InvalidInput(path || context, `the ${context} names nothing to change`);
    case 'type': {
      const type = String(e.params.type).replace(/,/g, ' or ');
      if (path === '') return new InvalidInput(context, `the ${context} must be a JSON ${type}`);
      return new InvalidInput(path, `${where} ${path} must be ${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`);
    }
    case 'enum':
      return new InvalidInput(
        path,
        `${where} ${path} must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      );
    default:
      return new InvalidInput(path || context, `${where} ${path || context} ${e.message ?? 'is invalid'}`);
  }
}

function joinPath(parent: string, name: string): string {
  return parent === '' ? name : `${parent}.${name}`;
}

/** The query of every admin list: `limit` 1–1000 (default 100), `offset` ≥ 0 (default 0). */
export const pageQuery = {
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
    offset: { type: 'integer', minimum: 0, maximum: 1_000_000_000, default: 0 },
  },
  additionalProperties: false,
} as const;

/** The query of every admin list of a resource: a page, and `q`, a case-insensitive part of its names. */
export const listQuery = {
  type: 'object',
  properties: {
    ...pageQuery.properties,
    q: { type: 'string', maxLength: 100, description: 'only those whose names contain this (case-insensitive)' },
  },
  additionalProperties: false,
} as const;

/** The query of a DELETE whose resource may have records of its own (see the README). */
export const deleteQuery = {
  type: 'object',
  properties: {
    cascade: { type: 'boolean', default: false, description: 'also delete the records that hang off it (else 409 while there are any)' },
  },
  additionalProperties: false,
} as const;

export { listReply } from './lists.ts';

/** `POST …/set-secret`: the secret the operator supplies (the kind's own rules check its length). */
export const setSecretBody = {
  type: 'object',
  additionalProperties: false,
  required: ['secret'],
  properties: { secret: { type: 'string', minLength: 1, maxLength: 512, description: 'the new secret, as the partner will sign with it' } },
} as const;

/**
 * A create body's secret under the name every front's replies use, `secret`, or under the kind's
 * older name (`applicationSecret`, `key`), which is still taken; both at once is a 400.
 */
export function withSecretAs<B extends { secret?: string }, K extends string>(
  body: B,
  older: K,
): Omit<B, 'secret'> & { [P in K]?: string } {
  const { secret, ...rest } = body;
  const given = (rest as Record<string, unknown>)[older];
  if (secret !== undefined && given !== undefined)
    throw new InvalidInput('secret', `give the secret once: as secret (preferred) or as ${older}, not both`);
  return (secret === undefined ? rest : { ...rest, [older]: secret }) as Omit<B, 'secret'> & { [P in K]?: string };
}
