import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { backendNames } from '../../../../test/helpers/backends.ts';
import { startServer } from '../../../../test/helpers/server.ts';
import { expectCode, form, makeKey, postForm, signedParams, type Raw } from './helpers.ts';
import { rng } from '../../../../test/helpers/fuzz.ts';

/**
 * A bounded, seeded fuzz of /m.api. Every case is a mutation of one valid signed request that
 * makes it invalid, so every reply must be a refusal in the gateway shape; at the end the valid
 * request itself must still succeed, which shows no refused call consumed its replay record.
 *
 * Decision: a body over the size limit is answered HTTP 413 (in the gateway shape); everything
 * else, however malformed, is HTTP 200 with a gateway code.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20250601);
const CASES = Number(process.env.FUZZ_CASES ?? 400);

interface RawReply {
  status: number;
  contentType: string;
  text: string;
}

function raw(url: string, method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request(
      { host: u.hostname, port: u.port, method, path, headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    // An over-limit body may be cut off by the server before it is all sent.
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err)));
    req.end(body);
  });
}

const ODD = [
  '',
  ' ',
  '\u0000',
  '\u202e\u202d',
  '\u200b',
  '😀'.repeat(3),
  'é',
  'e\u0301',
  '\ufeff',
  '\uffff',
  '\\',
  '"',
  '<x>&amp;',
  ']]>',
  '%',
  '+',
  '=',
  '&',
  '中文',
  'x'.repeat(5000),
];
const CONTENT_TYPES = [
  'application/x-www-form-urlencoded',
  'application/json',
  'text/plain',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/octet-stream',
  'application/json; charset=utf-16',
  'APPLICATION/JSON',
  'application/x-www-form-urlencoded;;;',
  'x',
  '*/*',
];
/** Types a form body must not be read as. */
const NOT_FORM = CONTENT_TYPES.filter((c) => !c.startsWith('application/x-www-form-urlencoded'));

for (const backend of backendNames()) {
  test(`opretail fuzz: ${CASES} malformed requests, seed ${SEED} (${backend})`, async (t) => {
    const s = await startServer({ backend });
    t.after(() => s.close());
    const key = await makeKey(s);
    const P: Raw = signedParams(key, Date.now(), { _format: 'json' });
    const rand = rng(SEED);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const names = Object.keys(P);
    const xml = new XMLParser({ parseTagValue: false });
    const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));
    const oddText = () => pick(ODD) + (rand() < 0.5 ? pick(ODD) : '');
    const tally = new Map<string, number>();

    /** Cases: [label, method, path, headers, body]. */
    const cases: (() => [string, string, string, Record<string, string>, Buffer | undefined])[] = [
      () => {
        const p = { ...P };
        delete p[pick(names)];
        return ['drop a parameter', 'POST', '/m.api', { 'content-type': 'application/x-www-form-urlencoded' }, Buffer.from(form(p))];
      },
      () => {
        const n = pick(names);
        let v = oddText();
        if (v === P[n]) v += 'x';
        return [
          'odd value',
          'POST',
          '/m.api',
          { 'content-type': 'application/x-www-form-urlencoded' },
          Buffer.from(form({ ...P, [n]: v })),
        ];
      },
      () => [
        'odd parameter added',
        'POST',
        '/m.api',
        { 'content-type': 'application/x-www-form-urlencoded' },
        Buffer.from(form({ ...P, [oddText() || 'z']: oddText() })),
      ],
      () => {
        const n = pick(names);
        return [
          'repeated name, other value',
          'POST',
          '/m.api',
          { 'content-type': 'application/x-www-form-urlencoded' },
          Buffer.from(`${form(P)}&${encodeURIComponent(n)}=${encodeURIComponent(P[n] + '1')}`),
        ];
      },
      () => {
        const bad = pick(['%', '%z', '%zz', '%E4%B8', '%FF', '%C0%AF', '%ED%A0%80', '%%', '%u4e2d']);
        return [
          'bad percent escape',
          'POST',
          '/m.api',
          { 'content-type': 'application/x-www-form-urlencoded' },
          Buffer.from(`${form(P)}&${pick(['x', '_mt'])}=${bad}`),
        ];
      },
      () => [
        'non-UTF-8 bytes',
        'POST',
        '/m.api',
        { 'content-type': pick(['application/x-www-form-urlencoded', 'application/json']) },
        Buffer.concat([Buffer.from(form(P) + '&x='), Buffer.from([0xff, 0xfe, 0xc3]), bytes(8)]),
      ],
      () => ['random bytes, random type', 'POST', '/m.api', { 'content-type': pick(CONTENT_TYPES) }, bytes(1 + Math.floor(rand() * 2000))],
      () => ['valid form under a wrong content type', 'POST', '/m.api', { 'content-type': pick(NOT_FORM) }, Buffer.from(form(P))],
      () => [
        'JSON top level not an object',
        'POST',
        '/m.api',
        { 'content-type': 'application/json' },
        Buffer.from(pick(['[]', '1', '"s"', 'null', 'true', JSON.stringify(Object.entries(P))])),
      ],
      () => [
        'broken JSON',
        'POST',
        '/m.api',
        { 'content-type': 'application/json' },
        Buffer.from(JSON.stringify(P).slice(0, Math.floor(rand() * 100))),
      ],
      () => {
        const depth = 10 + Math.floor(rand() * 5000);
        const nested = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
        return [
          'deep JSON nesting',
          'POST',
          '/m.api',
          { 'content-type': 'application/json' },
          Buffer.from(JSON.stringify(P).slice(0, -1) + `,"deep":${nested}}`),
        ];
      },
      () => [
        'JSON with odd values',
        'POST',
        '/m.api',
        { 'content-type': 'application/json' },
        Buffer.from(JSON.stringify({ ...P, [pick(names)]: pick([[], {}, [1, [2]], 1e308, -0, null, true, oddText()]) })),
      ],
      () => [
        'huge value under the limit',
        'POST',
        '/m.api',
        { 'content-type': 'application/x-www-form-urlencoded' },
        Buffer.from(form({ ...P, big: 'v'.repeat(60_000) })),
      ],
      () => [
        'over the body limit',
        'POST',
        '/m.api',
        { 'content-type': pick(['application/x-www-form-urlencoded', 'application/json', 'text/plain']) },
        Buffer.from(form({ ...P, big: 'v'.repeat(70_000 + Math.floor(rand() * 100_000)) })),
      ],
      () => {
        const q = pick([
          `${form(P)}&x=%zz`,
          `${form(P)}&_sig=${P._sig}0`,
          '%FF%FE=1',
          '&&&==&',
          '_akey',
          `${form(P)}&_format=xml&_format=json`,
          form({ ...P, _format: 'xml', orgid: oddText() + '!' }),
        ]);
        return ['GET, odd query', 'GET', `/m.api?${q}`, {}, undefined];
      },
      () => [
        'POST body, odd query, XML asked',
        'POST',
        `/m.api?_format=xml&${pick(['x=%zz', '_mt=a', '_sig=' + P._sig])}`,
        { 'content-type': pick(CONTENT_TYPES) },
        bytes(Math.floor(rand() * 200)),
      ],
      () => ['empty', pick(['GET', 'POST']), '/m.api', {}, undefined],
    ];

    for (let i = 0; i < CASES; i++) {
      const [label, method, path, headers, body] = pick(cases)();
      const r = await raw(s.url, method, path, headers, body);
      const where = `case ${i} (${label}), seed ${SEED}: HTTP ${r.status} ${r.text.slice(0, 300)}`;
      tally.set(label, (tally.get(label) ?? 0) + 1);
      assert.ok(r.status === 200 || (r.status === 413 && label === 'over the body limit'), where);
      let code: number;
      if (r.contentType.startsWith('application/xml')) {
        assert.equal(XMLValidator.validate(r.text), true, where);
        const doc = xml.parse(r.text).response;
        code = Number(doc.stat.code);
        assert.equal(doc.data, '', where);
        assert.equal(typeof doc.result, 'string', where);
      } else {
        assert.match(r.contentType, /^application\/json/, where);
        const doc = JSON.parse(r.text);
        assert.deepEqual(Object.keys(doc).sort(), ['data', 'result', 'stat'], where);
        assert.equal(typeof doc.stat.code, 'number', where);
        assert.equal(typeof doc.stat.cid, 'string', where);
        assert.equal(typeof doc.stat.systime, 'number', where);
        assert.equal(doc.data, null, where);
        code = doc.stat.code;
      }
      assert.ok(Number.isInteger(code) && code !== 0 && code !== -999 && code !== -100, where);
      assert.ok(!r.text.includes(key.secret), where);
    }
    t.diagnostic(JSON.stringify(Object.fromEntries(tally)));

    assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
    // Nothing was written for the refused calls: the untouched request succeeds once, then is a replay.
    expectCode(await postForm(s.url, P), 0, 'SUCCESS');
    expectCode(await postForm(s.url, P), -100, 'API_CALL_REPEAT');
  });

  test(`opretail: an over-limit body is HTTP 413 in the gateway shape, XML when the query asks (${backend})`, async (t) => {
    const s = await startServer({ backend });
    t.after(() => s.close());
    const big = Buffer.from('a=' + 'v'.repeat(s.k.config.bodyLimit));
    const r = await raw(s.url, 'POST', '/m.api', { 'content-type': 'application/x-www-form-urlencoded' }, big);
    assert.equal(r.status, 413);
    const doc = JSON.parse(r.text);
    assert.equal(doc.stat.code, 7);
    assert.equal(doc.stat.codename, 'SIGN_WRONG');
    assert.equal(doc.data, null);
    assert.match(doc.result, /larger than 65536 bytes/);
    const x = await raw(s.url, 'POST', '/m.api?_format=xml', { 'content-type': 'application/json' }, big);
    assert.equal(x.status, 413);
    assert.equal(new XMLParser({ parseTagValue: false }).parse(x.text).response.stat.code, '7');
  });
}
