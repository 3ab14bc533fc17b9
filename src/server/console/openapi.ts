import type { OpenApiFragment } from '../../fronts/kit/openapi.ts';

/** The console's and the debugger's paths in the OpenAPI document (pages, files, and the console's own API). */

const page = (summary: string) => ({
  get: { tags: ['console'], summary, security: [], responses: { 200: { description: 'an HTML page', content: { 'text/html': {} } } } },
});
const redirect = (summary: string) => ({
  get: { tags: ['console'], summary, security: [], responses: { 301: { description: 'moved' }, 302: { description: 'found' } } },
});
const file = (summary: string) => ({
  get: {
    tags: ['console'],
    summary,
    security: [],
    parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }],
    responses: { 200: { description: 'a script or a style sheet of the build' }, 404: { description: 'no such file' } },
  },
});
const session = { type: 'object', properties: { csrf: { type: 'string' }, idleMinutes: { type: 'integer' }, since: { type: 'string' } } };
const json = (description: string, schema: unknown = { type: 'object' }) => ({
  200: { description, content: { 'application/json': { schema } } },
  401: { $ref: '#/components/responses/Unauthorized' },
});
const consoleRead = (summary: string, parameters: unknown[] = []) => ({
  tags: ['console'],
  summary,
  description: 'The console session (cookie) or the Bearer admin token.',
  parameters,
  responses: json(summary),
});
const q = (name: string, description: string) => ({ name, in: 'query', required: false, description, schema: { type: 'string' } });

export const consoleOpenApi: OpenApiFragment = {
  tags: [
    {
      name: 'console',
      description:
        'The operator console (/console/) and the integrator debugger (/debugger/). The console signs in with the admin token and then uses an HttpOnly session cookie; its writes go to the admin API with the X-CSRF-Token header.',
    },
  ],
  paths: {
    '/': redirect('To the console'),
    '/console': redirect('To /console/'),
    '/console/': page('The operator console'),
    '/console/assets/{name}': file("The console's built files"),
    '/console/api/session': {
      post: {
        tags: ['console'],
        summary: 'Sign in: the admin token for a session cookie',
        security: [],
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { type: 'object', properties: { token: { type: 'string' } }, required: ['token'] } } },
        },
        responses: {
          201: {
            description: 'signed in: the session cookie is set; the CSRF token to send with writes',
            content: { 'application/json': { schema: session } },
          },
          401: {
            description:
              'not the admin token (answered after a delay that grows with repeated failures from the address; counted in kaifang_console_signin_failures_total)',
          },
        },
      },
      get: { tags: ['console'], summary: 'The session: its CSRF token', security: [], responses: json('the session', session) },
      delete: { tags: ['console'], summary: 'Sign out: the session ends on every process', security: [], responses: json('signed out') },
    },
    '/console/api/fronts': { get: consoleRead("Each front's console declaration: resources, columns, forms, actions") },
    '/console/api/overview': {
      get: consoleRead(
        'At a glance: per front requests, refusals by outcome, p99; upstream outcomes; version, store, state, mode, processes',
      ),
    },
    '/console/api/calls': {
      get: consoleRead('The call log, with each row refused or not and the upstream calls made meanwhile', [
        q('front', 'front'),
        q('endpoint', 'endpoint'),
        q('credential', "credential's public id"),
        q('outcome', 'outcome code'),
        q('requestId', 'request id'),
        q('since', 'ISO 8601 or ms'),
        q('until', 'ISO 8601 or ms'),
        q('limit', '1–500'),
        q('offset', 'rows to skip'),
      ]),
    },
    '/console/api/chart': {
      get: consoleRead('Calls and refusals per front, per minute, over the last hour or the last day', [q('range', 'hour or day')]),
    },
    '/console/api/sandbox/journal': {
      get: consoleRead('Sandbox: what the WeChat Pay, UnionPay bridge and WeChat login simulators answered lately', [
        q('service', 'wechatpay, unionpay-bridge, wechat-oauth'),
        q('limit', '1–200'),
      ]),
      delete: { tags: ['console'], summary: 'Sandbox: empty the journal', responses: json('how many entries were deleted') },
    },
    '/debugger': redirect('To /debugger/'),
    '/debugger/': page("The integrator's debugger (sandbox mode, or KAIFANG_DEBUGGER=on)"),
    '/debugger/assets/{name}': file("The debugger's built files"),
    '/debugger/api/info': {
      get: {
        tags: ['console'],
        summary: "The server's time and each front's public settings, for the debugger's checks",
        security: [],
        responses: { 200: { description: 'time and settings', content: { 'application/json': { schema: { type: 'object' } } } } },
      },
    },
  },
};
