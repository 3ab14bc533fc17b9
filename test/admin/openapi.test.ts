import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { OpenApiFragment } from '../../src/fronts/kit/openapi.ts';
import { buildOpenApiDocument } from '../../src/server/openapi.ts';
import { RETURN_CODES } from '../../src/fronts/opretail/openapi.ts';
import { CODES } from '../../src/fronts/opretail/codes.ts';
import { CODE } from '../../src/fronts/storepos/codes.ts';
import { COMMON } from '../../src/fronts/storepos/params.ts';
import { startServer } from '../helpers/server.ts';
import { storeposFixture } from '../../src/fronts/storepos/test/helpers.ts';

const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** Every `$ref` in the document, as JSON pointers. */
function refs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refs(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

/**
 * Every route the server serves, as [path template, methods], read from Fastify's route tree
 * (`printRoutes({ commonPrefix: false })`: one node per line, children indented four columns).
 */
function servedRoutes(tree: string): [string, string[]][] {
  const out: [string, string[]][] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^([│ ]*)[├└]── (\S+)(?: \(([^)]*)\))?$/.exec(line.trimEnd());
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    stack.push(m[2]!);
    if (m[3]) out.push([stack.join('').replace(/:(\w+)/g, '{$1}'), m[3].split(', ')]);
  }
  return out;
}

function resolve(doc: unknown, pointer: string): unknown {
  assert.ok(pointer.startsWith('#/'), `local $ref: ${pointer}`);
  return pointer
    .slice(2)
    .split('/')
    .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], doc);
}

test('GET /openapi.json describes the admin API, the platform endpoints, /m.api and the storepos front', async (t) => {
  const s = await startServer();
  t.after(() => s.close());
  const res = await fetch(`${s.url}/openapi.json`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  const doc = JSON.parse(await res.text());
  assert.equal(doc.openapi, '3.1.0');
  assert.equal(doc.info.title, 'kaifang');
  assert.equal(typeof doc.info.version, 'string');
  assert.equal(doc.servers[0].url, s.url);
  assert.equal(doc.components.securitySchemes.adminToken.scheme, 'bearer');

  const expected: Record<string, string[]> = {
    '/healthz': ['get'],
    '/readyz': ['get'],
    '/metrics': ['get'],
    '/admin/api/calls': ['get'],
    '/admin/api/opretail/keys': ['get', 'post'],
    '/admin/api/opretail/keys/{akey}': ['get', 'patch'],
    '/admin/api/opretail/keys/{akey}/disable': ['post'],
    '/admin/api/opretail/keys/{akey}/enable': ['post'],
    '/admin/api/opretail/keys/{akey}/expire': ['post'],
    '/admin/api/opretail/keys/{akey}/rotate-secret': ['post'],
    '/admin/api/opretail/keys/{akey}/grants': ['get'],
    '/admin/api/opretail/keys/{akey}/grants/{name}/{version}': ['delete', 'put'],
    '/admin/api/opretail/methods': ['get', 'post'],
    '/admin/api/opretail/methods/{name}/{version}': ['get', 'patch'],
    '/admin/api/opretail/methods/{name}/{version}/disable': ['post'],
    '/admin/api/opretail/methods/{name}/{version}/enable': ['post'],
    '/m.api': ['get', 'post'],
    '/admin/api/storepos/agents': ['get', 'post'],
    '/admin/api/storepos/agents/{agentId}': ['get', 'patch'],
    '/admin/api/storepos/agents/{agentId}/disable': ['post'],
    '/admin/api/storepos/agents/{agentId}/enable': ['post'],
    '/admin/api/storepos/agents/{agentId}/rotate-key': ['post'],
    '/admin/api/storepos/agents/{agentId}/grants/{appid}': ['put', 'delete'],
    '/admin/api/wechat/miniapps': ['get', 'post'],
    '/admin/api/wechat/miniapps/{appid}': ['get', 'patch'],
    '/admin/api/wechat/miniapps/{appid}/secret': ['put'],
    '/admin/api/wechat/miniapps/{appid}/disable': ['post'],
    '/admin/api/wechat/miniapps/{appid}/enable': ['post'],
    '/admin/api/sandbox/sms': ['get', 'delete'],
    '/Mch/GetMchSMSValid': ['post'],
    '/Mch/CheckMchSMSValid': ['post'],
    '/Open/WXA_Code2Session': ['post'],
  };
  for (const [path, methods] of Object.entries(expected)) {
    assert.ok(doc.paths[path], `${path} is documented`);
    for (const m of methods) assert.ok(doc.paths[path][m], `${m.toUpperCase()} ${path} is documented`);
  }

  // Everything documented is really served (path templates become Fastify routes).
  for (const [path, item] of Object.entries<Record<string, unknown>>(doc.paths)) {
    for (const m of Object.keys(item).filter((x) => HTTP_METHODS.includes(x))) {
      const url = path.replace(/\{(\w+)\}/g, ':$1');
      assert.ok(s.app.hasRoute({ method: m.toUpperCase() as 'GET', url }), `${m.toUpperCase()} ${path} is a route`);
    }
  }

  // And everything served is documented: every admin operation (HEAD aside), every front and
  // platform path. The sandbox simulators (/sandbox/*) stand in for upstream services: not part of the API.
  const served = servedRoutes(s.app.printRoutes({ commonPrefix: false }));
  assert.ok(
    served.some(([p]) => p === '/admin/api/storepos/agents/{agentId}/grants/{appid}'),
    'the route tree is read',
  );
  for (const [path, methods] of served) {
    if (path.startsWith('/sandbox/')) continue;
    assert.ok(doc.paths[path], `${path} is served and documented`);
    if (!path.startsWith('/admin/api/')) continue;
    for (const m of methods.filter((x) => x !== 'HEAD'))
      assert.ok(doc.paths[path][m.toLowerCase()], `${m} ${path} is served and documented`);
  }

  // The admin operations need the token; the fronts and platform endpoints do not.
  assert.deepEqual(doc.security, [{ adminToken: [] }]);
  assert.deepEqual(doc.paths['/m.api'].post.security, []);
  assert.deepEqual(doc.paths['/healthz'].get.security, []);
  assert.equal(doc.paths['/admin/api/opretail/keys'].post.security, undefined);

  // /m.api: system parameters, envelope, return codes.
  const get = doc.paths['/m.api'].get;
  const names = get.parameters.map((p: { name: string }) => p.name);
  for (const p of ['_aid', '_akey', '_mt', '_sm', '_requestMode', '_version', '_timestamp', '_sig', '_format'])
    assert.ok(names.includes(p), p);
  assert.equal(get.parameters.find((p: { name: string }) => p.name === '_format').required, false);
  const envelope = doc.components.schemas.OpretailEnvelope;
  assert.deepEqual(envelope.required, ['stat', 'result', 'data']);
  for (const codename of [
    'SUCCESS',
    'KEY_NOTNULL',
    'SIGN_WRONG',
    'CALL_LIMITED',
    'API_CALL_REPEAT',
    'UNKNOWN_ERROR',
    'IDENTITY_INFORMATION_WRONG',
  ]) {
    assert.ok(envelope.properties.stat.properties.codename.enum.includes(codename), codename);
  }
  assert.match(get.description, /\| -100 \| API_CALL_REPEAT \|/);
  // The table is built from codes.ts: every code, in its order, with a meaning.
  assert.deepEqual(
    RETURN_CODES.map(([code, name]) => [name, code]),
    Object.entries(CODES),
  );
  for (const [code, name, meaning] of RETURN_CODES) {
    assert.ok(meaning.length > 0, name);
    assert.ok(get.description.includes(`| ${code} | ${name} | ${meaning} |`), name);
  }

  // The storepos front: POST only, form or JSON, common parameters, the signed reply and its codes.
  for (const path of ['/Mch/GetMchSMSValid', '/Mch/CheckMchSMSValid', '/Open/WXA_Code2Session']) {
    const post = doc.paths[path].post;
    assert.deepEqual(post.security, [], path);
    assert.deepEqual(Object.keys(post.requestBody.content).sort(), ['application/json', 'application/x-www-form-urlencoded'], path);
    const schema = resolve(doc, post.requestBody.content['application/json'].schema.$ref) as { required: string[] };
    for (const p of COMMON) assert.ok(schema.required.includes(p), `${path} requires ${p}`);
    for (const code of Object.values(CODE)) assert.match(post.description, new RegExp(`\\| ${code} \\|`), `${path} explains ${code}`);
    for (const state of ['SUCCESS', 'FAIL', 'VER'])
      assert.match(post.description, new RegExp(`\\| ${state} \\|`), `${path} explains ${state}`);
    const reply = resolve(doc, post.responses[200].content['application/json'].schema.$ref) as {
      required: string[];
      properties: Record<string, { enum?: string[] }>;
    };
    assert.deepEqual(reply.required, ['state', 'code', 'msg', 'sign']);
    assert.deepEqual(reply.properties.state!.enum, ['SUCCESS', 'FAIL', 'VER']);
  }
  assert.deepEqual((resolve(doc, '#/components/schemas/StoreposWXA_Code2SessionRequest') as { required: string[] }).required, [
    ...COMMON,
    'appid',
    'js_code',
  ]);

  // The admin request schemas are the ones the routes validate with.
  const create = doc.paths['/admin/api/opretail/keys'].post.requestBody.content['application/json'].schema;
  assert.deepEqual(create.required, ['username', 'enterpriseId']);
  assert.equal(create.additionalProperties, false);
  const agent = doc.paths['/admin/api/storepos/agents'].post.requestBody.content['application/json'].schema;
  assert.deepEqual(agent.required, ['name']);
  assert.equal(agent.additionalProperties, false);

  for (const ref of refs(doc)) assert.ok(resolve(doc, ref), `${ref} resolves`);
});

/** Fails when `value` has a field the schema (resolved, an object schema) does not describe. */
function assertDescribed(doc: unknown, schemaRef: string, value: Record<string, unknown>, what: string): void {
  const schema = resolve(doc, schemaRef) as { properties: Record<string, unknown> };
  for (const field of Object.keys(value)) assert.ok(field in schema.properties, `${what}: field ${field} is described by ${schemaRef}`);
}

test('the storepos, WeChat and sandbox replies have the documented fields', async (t) => {
  const f = await storeposFixture('sqlite');
  t.after(() => f.close());
  const doc = await (await fetch(`${f.s.url}/openapi.json`)).json();

  const created = await f.s.admin('/storepos/agents', { body: { name: 'documented', smsDailyCap: 5 } });
  assert.equal(created.status, 201);
  assertDescribed(doc, '#/components/schemas/StoreposAgent', created.body, 'created agent');
  const shown = await f.s.admin(`/storepos/agents/${f.agentId}`);
  assert.deepEqual(shown.body.appids, [f.appid]);
  assertDescribed(doc, '#/components/schemas/StoreposAgent', shown.body, 'agent');
  const app = await f.s.admin(`/wechat/miniapps/${f.appid}`);
  assert.equal(app.status, 200);
  assertDescribed(doc, '#/components/schemas/WechatMiniapp', app.body, 'mini-program');

  const mobile = f.mobile();
  const sent = await f.post('/Mch/GetMchSMSValid', { mobile });
  assert.equal(sent.state, 'SUCCESS', JSON.stringify(sent));
  assertDescribed(doc, '#/components/schemas/StoreposReply', sent, 'GetMchSMSValid reply');
  const outbox = await f.s.admin(`/sandbox/sms?mobile=${mobile}`);
  assert.equal(outbox.body.messages.length, 1);
  assertDescribed(doc, '#/components/schemas/SandboxSms', outbox.body.messages[0], 'outbox message');

  const login = await f.post('/Open/WXA_Code2Session', { appid: f.appid, js_code: 'sandbox-ubob-1' });
  assert.equal(login.code, '10000', JSON.stringify(login));
  assertDescribed(doc, '#/components/schemas/StoreposCode2SessionReply', login, 'WXA_Code2Session reply');
});

test('fragments that describe the same operation twice are refused', () => {
  const a: OpenApiFragment = { paths: { '/x': { get: { responses: {} } } } };
  const b: OpenApiFragment = { paths: { '/x': { post: { responses: {} } } } };
  const doc = buildOpenApiDocument([a, b], { version: '1' });
  assert.deepEqual(Object.keys(doc.paths['/x']!), ['get', 'post']);
  assert.throws(() => buildOpenApiDocument([a, a], { version: '1' }), /described twice/);
  assert.throws(
    () =>
      buildOpenApiDocument(
        [
          { paths: {}, components: { schemas: { S: {} } } },
          { paths: {}, components: { schemas: { S: {} } } },
        ],
        { version: '1' },
      ),
    /schema S/,
  );
});
