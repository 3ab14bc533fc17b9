import type { FastifyInstance } from 'fastify';
import { listReply, useStrictValidation } from '../../kit/adminValidation.ts';
import type { FrontPluginOptions } from '../../kit/front.ts';
import { errors, ok, queryParams, type OpenApiFragment } from '../../kit/openapi.ts';
import { isoCreatedAt } from './present.ts';
import * as S from './schemas.ts';
import type { WeitingServices } from '../services.ts';
import type { RecordFilter } from '../domain/reports.ts';
import { weitingOperations } from './operations.ts';

const usersQuery = {
  type: 'object',
  properties: {
    q: { type: 'string', maxLength: 64, description: 'part of an openid, a nickname or a bound device number' },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    offset: { type: 'integer', minimum: 0, maximum: 1_000_000_000, default: 0 },
  },
  additionalProperties: false,
} as const;

/**
 * What the console adds to `/admin/api/weiting` (read only): the list of users with a search,
 * which the admin API lacked, and the logins partners reported.
 */
export async function weitingConsoleAdmin(app: FastifyInstance, { services }: FrontPluginOptions<WeitingServices>): Promise<void> {
  useStrictValidation(app);
  app.get('/users', { schema: { querystring: usersQuery } }, async (request) => {
    const { q, limit, offset } = request.query as { q?: string; limit: number; offset: number };
    const text = q?.trim() || undefined;
    const [users, total] = await Promise.all([services.users.search(text, limit, offset), services.users.count(text)]);
    return listReply(
      'users',
      users.map((u) => ({ ...isoCreatedAt(u), updatedAt: new Date(u.updatedAt).toISOString() })),
      total,
      { limit, offset },
    );
  });
  app.get('/logins', { schema: { querystring: S.listQuery } }, async (request) =>
    weitingOperations(services).listLogins(request.query as RecordFilter),
  );
}

/** Its part of the OpenAPI document. */
export const weitingConsoleAdminOpenApi: OpenApiFragment = {
  paths: {
    '/admin/api/weiting/users': {
      get: {
        tags: ['admin: weiting'],
        summary: 'List users, newest first; with q, those whose openid, nickname or a bound device number contains it',
        parameters: queryParams(usersQuery),
        responses: { ...ok('a page of users (openid, nickname, devices, createdAt, updatedAt)', { type: 'object' }), ...errors(400) },
      },
    },
    '/admin/api/weiting/logins': {
      get: {
        tags: ['admin: weiting'],
        summary: 'Logins partners reported (reportLogin), newest first',
        parameters: queryParams(S.listQuery),
        responses: { ...ok('the logins', { type: 'object' }), ...errors(400) },
      },
    },
  },
};
