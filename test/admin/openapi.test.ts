import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildOpenApiDocument, type OpenApiFragment } from '../../src/server/openapi.ts';
import { startServer } from '../helpers/server.ts';

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

function resolve(doc: unknown, pointer: string): unknown {
  assert.ok(pointer.startsWith('#/'), `local $ref: ${pointer}`);
  return pointer
    .slice(2)
    .split('/')
    .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], doc);
}

test('GET /openapi.json describes the admin API, the platform endpoints and /m.api', async (t) => {
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
    '/admin/api/opretail/keys/{akey}/grants': ['get', 'post'],
    '/admin/api/opretail/keys/{akey}/grants/{name}/{version}': ['delete'],
    '/admin/api/opretail/methods': ['get', 'post'],
    '/admin/api/opretail/methods/{name}/{version}': ['get', 'patch'],
    '/admin/api/opretail/methods/{name}/{version}/disable': ['post'],
    '/admin/api/opretail/methods/{name}/{version}/enable': ['post'],
    '/m.api': ['get', 'post'],
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

  // The admin operations need the token; the fronts and platform endpoints do not.
  assert.deepEqual(doc.security, [{ adminToken: [] }]);
  assert.deepEqual(doc.paths['/m.api'].post.security, []);
  assert.deepEqual(doc.paths['/healthz'].get.security, []);
  assert.equal(doc.paths['/admin/api/opretail/keys'].post.security, undefined);

  // /m.api: system parameters, envelope, return codes.
  const get = doc.paths['/m.api'].get;
  const names = get.parameters.map((p: { name: string }) => p.name);
  for (const p of ['_aid', '_akey', '_mt', '_sm', '_requestMode', '_version', '_timestamp', '_sig', '_format']) assert.ok(names.includes(p), p);
  assert.equal(get.parameters.find((p: { name: string }) => p.name === '_format').required, false);
  const envelope = doc.components.schemas.OpretailEnvelope;
  assert.deepEqual(envelope.required, ['stat', 'result', 'data']);
  for (const codename of ['SUCCESS', 'KEY_NOTNULL', 'SIGN_WRONG', 'CALL_LIMITED', 'API_CALL_REPEAT', 'UNKNOWN_ERROR', 'IDENTITY_INFORMATION_WRONG']) {
    assert.ok(envelope.properties.stat.properties.codename.enum.includes(codename), codename);
  }
  assert.match(get.description, /\| -100 \| API_CALL_REPEAT \|/);

  // The admin request schemas are the ones the routes validate with.
  const create = doc.paths['/admin/api/opretail/keys'].post.requestBody.content['application/json'].schema;
  assert.deepEqual(create.required, ['username', 'enterpriseId']);
  assert.equal(create.additionalProperties, false);

  for (const ref of refs(doc)) assert.ok(resolve(doc, ref), `${ref} resolves`);
});

test('fragments that describe the same operation twice are refused', () => {
  const a: OpenApiFragment = { paths: { '/x': { get: { responses: {} } } } };
  const b: OpenApiFragment = { paths: { '/x': { post: { responses: {} } } } };
  const doc = buildOpenApiDocument([a, b], { version: '1' });
  assert.deepEqual(Object.keys(doc.paths['/x']!), ['get', 'post']);
  assert.throws(() => buildOpenApiDocument([a, a], { version: '1' }), /described twice/);
  assert.throws(() => buildOpenApiDocument([{ paths: {}, components: { schemas: { S: {} } } }, { paths: {}, components: { schemas: { S: {} } } }], { version: '1' }), /schema S/);
});
