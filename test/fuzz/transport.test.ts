import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../helpers/server.ts';
import { exchange, rng } from '../helpers/fuzz.ts';

/**
 * A seeded fuzz of what reaches the HTTP layer itself, on every front path: every HTTP method,
 * broken framing, oversize request lines, stalled bodies; and of the admin API: wrong types, huge
 * numbers, control characters. No reply is the framework's own: each is the shape of what its path
 * names, and nothing is a 5xx.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const CASES = Number(process.env.FUZZ_CASES ?? 300);

const FRONT_PATHS = [
  '/m.api',
  '/m.api/',
  '/m.api/x',
  '/Mch/GetMchSMSValid',
  '/Mch/CheckMchSMSValid',
  '/Open/WXA_Code2Session',
  '/Mch/Nope',
  '/Open/',
];
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'SEARCH', 'PROPFIND', 'FOO'];

/** Checks the reply is in the shape its path names; returns its status. */
function checkShape(path: string, method: string, reply: string, where: string): number {
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1]);
  assert.ok(status >= 200 && status < 500, `${where}: ${reply.slice(0, 300)}`);
  if (method === 'HEAD') return status;
  const head = reply.indexOf('\r\n\r\n');
  const type = /content-type: ([^\r]+)/i.exec(reply.slice(0, head))?.[1] ?? '';
  // The first reply only: a request refused before its body was read may leave that body to be
  // read as a next request, which gets its own (also well-formed) reply.
  const length = Number(/content-length: (\d+)/i.exec(reply.slice(0, head))?.[1]);
  const text = Buffer.from(reply.slice(head + 4), 'utf8')
    .subarray(0, length)
    .toString('utf8');
  const parse = () => {
    try {
      return JSON.parse(text);
    } catch {
      return assert.fail(`${where}: not one JSON body: ${reply.slice(0, 600)}`);
    }
  };
  if (path.startsWith('/m.api')) {
    assert.match(type, /^application\/(json|xml)/, where);
    if (type.startsWith('application/json')) {
      const doc = parse();
      assert.deepEqual(Object.keys(doc).sort(), ['data', 'result', 'stat'], where);
      assert.ok(doc.stat.code !== -999, where);
    }
  } else {
    const doc = parse();
    assert.deepEqual(Object.keys(doc), ['state', 'code', 'msg', 'sign'], where);
    assert.equal(doc.state, 'FAIL', where);
  }
  return status;
}

test(`HTTP-layer fuzz on every front path: ${CASES} cases, seed ${SEED}`, async (t) => {
  const s = await startServer({ env: { KAIFANG_REQUEST_TIMEOUT_MS: '1000' } });
  t.after(() => s.close());
  const rand = rng(SEED);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));
  const statuses = new Map<number, number>();

  const cases: (() => [string, string, string, Buffer])[] = [
    () => {
      const method = pick(METHODS);
      const path = pick(FRONT_PATHS);
      return ['method × path', method, path, Buffer.from(`${method} ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n`)];
    },
    () => {
      const path = pick(FRONT_PATHS);
      const header = pick([
        'Content-Length: abc',
        'Content-Length: -1',
        'Content-Length: 1\r\nContent-Length: 2',
        'Transfer-Encoding: chunked\r\nContent-Length: 3',
        'Transfer-Encoding: gzip, chunked',
        'Bad Header',
        '\u0000: x',
      ]);
      return ['broken header', 'POST', path, Buffer.from(`POST ${path} HTTP/1.1\r\nHost: x\r\n${header}\r\n\r\nabc`)];
    },
    () => {
      const path = pick(FRONT_PATHS);
      return [
        'bad chunked body',
        'POST',
        path,
        Buffer.concat([
          Buffer.from(
            `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n`,
          ),
          Buffer.from(pick(['zz\r\n', '5\r\nab\r\n0\r\n\r\n', 'fffffffffffffffff\r\n', '-1\r\n'])),
          bytes(10),
        ]),
      ];
    },
    () => {
      const path = pick(FRONT_PATHS.filter((p) => !p.endsWith('/')));
      return [
        'oversize request line',
        'GET',
        path,
        Buffer.from(`GET ${path}?_format=json&x=${'q'.repeat(16_500 + Math.floor(rand() * 10_000))} HTTP/1.1\r\nHost: x\r\n\r\n`),
      ];
    },
    () => {
      const path = pick(FRONT_PATHS);
      return [
        'oversize headers',
        'POST',
        path,
        Buffer.from(`POST ${path} HTTP/1.1\r\nHost: x\r\nX-Big: ${'h'.repeat(17_000)}\r\nContent-Length: 0\r\n\r\n`),
      ];
    },
    () => {
      const path = pick(FRONT_PATHS);
      return [
        'garbage after the request line',
        'POST',
        path,
        Buffer.concat([Buffer.from(`POST ${path} HTTP/1.1\r\n`), bytes(50 + Math.floor(rand() * 200)), Buffer.from('\r\n\r\n')]),
      ];
    },
  ];
  for (let i = 0; i < CASES; i++) {
    const [label, method, path, request] = pick(cases)();
    const reply = await exchangeWith(s.url, request);
    const status = checkShape(path, method, reply, `case ${i} (${label}) ${method} ${path}, seed ${SEED}`);
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  }
  // A few stalled bodies, at once.
  const stalled = await Promise.all(
    FRONT_PATHS.map(
      async (path) =>
        [
          path,
          await exchangeWith(
            s.url,
            Buffer.from(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"a":`),
          ),
        ] as const,
    ),
  );
  for (const [path, reply] of stalled) assert.equal(checkShape(path, 'POST', reply, `stalled ${path}`), 408);
  t.diagnostic(JSON.stringify(Object.fromEntries(statuses)));
  assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
});

test(`admin API fuzz: wrong types, huge numbers, control characters in queries and bodies, seed ${SEED}`, async (t) => {
  const s = await startServer();
  t.after(() => s.close());
  const rand = rng(SEED + 1);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const key = await s.admin('/opretail/keys', { body: { username: 'fuzz', enterpriseId: 1 } });
  const agent = await s.admin('/storepos/agents', { body: { name: 'fuzz' } });
  const values: unknown[] = [
    null,
    true,
    false,
    0,
    -1,
    1.5,
    2 ** 31,
    2 ** 53,
    1e308,
    -1e308,
    '',
    'x',
    'nul\u0000',
    'bell\u0007',
    'line\nbreak',
    '😀'.repeat(50),
    'x'.repeat(5000),
    [],
    [1],
    {},
    { a: 1 },
  ];
  const bodies: [string, string, Record<string, unknown>][] = [
    ['POST', '/opretail/keys', { username: 'u', enterpriseId: 1 }],
    ['PATCH', `/opretail/keys/${key.body.applicationKey}`, { ratePerSecond: 5 }],
    ['POST', '/opretail/methods', { name: 'fz.m', version: 'v1', url: 'http://127.0.0.1:9/' }],
    ['POST', '/storepos/agents', { name: 'a' }],
    ['PATCH', `/storepos/agents/${agent.body.agentId}`, { smsDailyCap: 5 }],
    ['POST', '/wechat/miniapps', { appid: 'wx00000000000000fz', secret: 'a-secret-1' }],
  ];
  const fields = [
    'username',
    'enterpriseId',
    'ratePerSecond',
    'ratePerDay',
    'timeoutMs',
    'name',
    'smsDailyCap',
    'appid',
    'secret',
    'url',
    'description',
    'expire',
    'keytype',
    'supplierAccount',
    'zzz',
  ];
  const queries = ['/calls', '/opretail/keys', '/storepos/agents', '/wechat/miniapps', '/sandbox/sms'];
  const qparams = ['limit', 'offset', 'since', 'until', 'front', 'credential', 'mobile', 'zzz'];
  const qvalues = ['abc', '-1', '0', '1.5', '1e400', '99999999999999999999', '%00', 'x'.repeat(300), '', '10'];
  for (let i = 0; i < CASES; i++) {
    let r: { status: number; body: any };
    let where: string;
    if (rand() < 0.5) {
      const [method, path, base] = pick(bodies);
      const body = { ...base, [pick(fields)]: pick(values) };
      r = await s.admin(path, { method, body });
      where = `case ${i}: ${method} ${path} ${JSON.stringify(body).slice(0, 200)}`;
    } else {
      const path = `${pick(queries)}?${pick(qparams)}=${encodeURIComponent(pick(qvalues))}`;
      r = await s.admin(path);
      where = `case ${i}: GET ${path}`;
    }
    assert.ok(r.status < 500, `${where}: ${JSON.stringify(r.body)}`);
    if (r.status >= 400) {
      assert.equal(typeof r.body.error?.message, 'string', where);
      if (r.status === 400) assert.equal(typeof r.body.error.param, 'string', `${where}: a 400 names the field: ${JSON.stringify(r.body)}`);
    }
  }
});

/** Sends raw bytes to the server at `url` (see helpers/fuzz.ts). */
const exchangeWith = (url: string, bytes: Buffer, waitMs?: number) => exchange(Number(new URL(url).port), bytes, waitMs);
