import type { FastifyInstance } from 'fastify';
import { InvalidInput } from '../../../kernel/errors.ts';
import type { ListOptions } from '../../../core/credentials.ts';
import { deleteQuery, listQuery, setSecretBody, useStrictValidation } from '../../kit/adminValidation.ts';
import type { FrontPluginOptions } from '../../kit/front.ts';
import { weitingOperations } from './operations.ts';
import * as S from './schemas.ts';
import type { RecordFilter } from '../domain/reports.ts';
import type { WeitingServices } from '../services.ts';

type AppParams = { appid: string };

/** The largest users import the admin API reads at once. */
export const IMPORT_BODY_LIMIT = 8 * 1024 * 1024;

/**
 * `/admin/api/weiting`: partner apps, app tickets, the users import, and the records of notices and
 * orders. Bodies carry secrets and are never logged.
 */
export async function weitingAdmin(app: FastifyInstance, { services }: FrontPluginOptions<WeitingServices>): Promise<void> {
  useStrictValidation(app);
  const ops = weitingOperations(services);
  // The import is text, CSV or JSON lines, and must be UTF-8: a wrong encoding is named, not turned into U+FFFD.
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  for (const type of ['text/csv', 'application/x-ndjson', 'application/jsonl', 'text/plain']) {
    app.addContentTypeParser(type, { parseAs: 'buffer', bodyLimit: IMPORT_BODY_LIMIT }, (_req, body, done) => {
      try {
        done(null, utf8.decode(body as Buffer));
      } catch {
        done(new InvalidInput('body', 'the import is not UTF-8 text (save it as UTF-8; GBK files are not read)'), undefined);
      }
    });
  }

  app.get('/apps', { schema: { querystring: listQuery } }, async (request) => ops.listApps(request.query as ListOptions));
  app.post('/apps', { schema: { body: S.createAppBody } }, async (request, reply) =>
    reply.code(201).send(await ops.createApp(request.body as { name: string })),
  );
  app.get('/apps/:appid', { schema: { params: S.appParams } }, async (request) => ops.showApp((request.params as AppParams).appid));
  app.patch('/apps/:appid', { schema: { params: S.appParams, body: S.updateAppBody } }, async (request) =>
    ops.updateApp((request.params as AppParams).appid, request.body as { name?: string }),
  );
  for (const [verb, enabled] of [
    ['disable', false],
    ['enable', true],
  ] as const) {
    app.post(`/apps/:appid/${verb}`, { schema: { params: S.appParams } }, async (request) =>
      ops.updateApp((request.params as AppParams).appid, { enabled }),
    );
  }
  app.post('/apps/:appid/revoke-tokens', { schema: { params: S.appParams } }, async (request) =>
    ops.revokeTokens((request.params as AppParams).appid),
  );
  // A body naming the secret is the old form of set-secret, still taken (deprecated).
  app.post('/apps/:appid/rotate-secret', { schema: { params: S.appParams, body: S.rotateBody } }, async (request) =>
    ops.rotateAppSecret((request.params as AppParams).appid, (request.body as { secret?: string } | null)?.secret),
  );
  app.post('/apps/:appid/set-secret', { schema: { params: S.appParams, body: setSecretBody } }, async (request) =>
    ops.setAppSecret((request.params as AppParams).appid, (request.body as { secret: string }).secret),
  );
  app.delete('/apps/:appid', { schema: { params: S.appParams, querystring: deleteQuery } }, async (request) =>
    ops.deleteApp((request.params as AppParams).appid, (request.query as { cascade: boolean }).cascade),
  );

  app.post('/tickets', { schema: { body: S.ticketBody } }, async (request, reply) =>
    reply.code(201).send(await ops.issueTicket((request.body as { mobile: string }).mobile)),
  );

  app.get('/users/:openid', { schema: { params: S.userParams } }, async (request) =>
    ops.showUser((request.params as { openid: string }).openid),
  );
  app.post('/users/import', { bodyLimit: IMPORT_BODY_LIMIT }, async (request) => {
    const type = String(request.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim()
      .toLowerCase();
    if (typeof request.body !== 'string')
      throw new InvalidInput(
        'body',
        'send the import as text/csv (a header line, then rows) or application/x-ndjson (one JSON object per line)',
      );
    // text/plain: JSON lines when the first line is an object, else CSV.
    const csv = type === 'text/csv' || (type === 'text/plain' && !request.body.trimStart().startsWith('{'));
    return ops.importUsers(request.body, csv ? 'csv' : 'jsonl');
  });

  app.get('/notices', { schema: { querystring: S.listQuery } }, async (request) => ops.listNotices(request.query as RecordFilter));
  app.get('/orders', { schema: { querystring: S.listQuery } }, async (request) => ops.listOrders(request.query as RecordFilter));
}
