import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { backendNames } from '../../../../test/helpers/backends.ts';
import { independentSign, jucaiFixture } from './helpers.ts';
import { rng } from '../../../../test/helpers/fuzz.ts';

/**
 * A seeded fuzz of `auth2OpenId`: every case is a mutation of one valid signed request that makes
 * it invalid (or unreadable). Each reply is HTTP 200 (413 for an oversize body) with a `code` of
 * the table that is not 200 or 500, no channel is called and no order is recorded; at the end the
 * untouched request succeeds.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261202);
const CASES = Number(process.env.FUZZ_CASES ?? 300);

function raw(url: string, contentType: string | undefined, body: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        method: 'POST',
        path: '/pay/api/1.0/auth2OpenId',
        headers: { ...(contentType ? { 'content-type': contentType } : {}), 'content-length': String(body.length) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err)));
    req.end(body);
  });
}

// No empty text or null: those leave a field out of the signature, and the request stays valid.
const ODD = [
  true,
  12,
  1.5,
  -0,
  1e308,
  ' ',
  '\u0000',
  '😀',
  'e\u0301',
  '\ufeff',
  '<x>&',
  '%zz',
  '中文',
  'x'.repeat(5000),
  [],
  {},
  [1],
  { a: { b: 1 } },
];

for (const backend of backendNames()) {
  test(`jucai fuzz: ${CASES} malformed requests, seed ${SEED} (${backend})`, async (t) => {
    const f = await jucaiFixture(backend);
    t.after(() => f.close());
    const rand = rng(SEED);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const valid = f.fields();
    const signedValid = { ...valid, sign: independentSign(valid, f.secret) };
    const names = Object.keys(signedValid);
    const json = (v: unknown) => Buffer.from(JSON.stringify(v));
    const records = async () =>
      Number(
        (
          await f.s.k.core.db
            .selectFrom('idempotency_records')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = { calls: await f.wechatPayCalls(), records: await records() };

    const cases: (() => [string, string | undefined, Buffer])[] = [
      () => {
        const o: Record<string, unknown> = { ...signedValid };
        delete o[pick(names)];
        return ['a field dropped', 'application/json', json(o)];
      },
      () => ['a field made odd', 'application/json', json({ ...signedValid, [pick(names)]: pick(ODD) })],
      () => [
        'an odd extra field, unsigned',
        'application/json',
        json({ ...signedValid, [pick(['reqTime', 'signType', 'x', '__proto__', 'constructor'])]: pick(ODD) }),
      ],
      () => ['broken JSON', 'application/json', Buffer.from(JSON.stringify(signedValid).slice(0, Math.floor(rand() * 150)))],
      () => [
        'top level not an object',
        'application/json',
        Buffer.from(pick(['[]', '1', '"s"', 'null', 'true', JSON.stringify([signedValid])])),
      ],
      () => [
        'a form body',
        pick(['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x', undefined as unknown as string]),
        Buffer.from(new URLSearchParams(signedValid as Record<string, string>).toString()),
      ],
      () => [
        'non-UTF-8 bytes',
        'application/json',
        Buffer.concat([Buffer.from('{"mchNo":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]),
      ],
      () => {
        const n = pick(names);
        return [
          'a duplicate key',
          'application/json',
          Buffer.from(
            JSON.stringify(signedValid).replace(
              '{',
              `{${JSON.stringify(n)}:${JSON.stringify(signedValid[n as keyof typeof signedValid])},`,
            ),
          ),
        ];
      },
      () => [
        'deep nesting',
        'application/json',
        Buffer.from(JSON.stringify(signedValid).slice(0, -1) + ',"deep":' + '['.repeat(3000) + ']'.repeat(3000) + '}'),
      ],
      () => ['a huge value under the limit', 'application/json', json({ ...signedValid, termId: 'x'.repeat(60_000) })],
      () => ['over the body limit', 'application/json', json({ ...signedValid, big: 'x'.repeat(70_000) })],
      () => [
        'sign of other fields',
        'application/json',
        json({ ...valid, mchOrderNo: String(valid.mchOrderNo) + 'X', sign: signedValid.sign }),
      ],
      () => [
        'random bytes',
        pick(['application/json', 'application/json;charset=UTF-8', 'APPLICATION/JSON']),
        Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 500) }, () => Math.floor(rand() * 256))),
      ],
    ];
    const tally = new Map<string, number>();
    for (let i = 0; i < CASES; i++) {
      const [label, contentType, body] = pick(cases)();
      const r = await raw(f.s.url, contentType, body);
      const where = `case ${i} (${label}), seed ${SEED}: HTTP ${r.status} ${r.text.slice(0, 300)}`;
      assert.ok(r.status === 200 || (r.status === 413 && label === 'over the body limit'), where);
      const reply = JSON.parse(r.text) as { code: number; msg: string; data: unknown; sign?: string };
      assert.ok([400, 401, 404].includes(reply.code), where);
      assert.equal(reply.data, null, where);
      assert.equal(reply.sign, undefined, where);
      tally.set(`${label} → ${reply.code}`, (tally.get(`${label} → ${reply.code}`) ?? 0) + 1);
    }
    t.diagnostic(JSON.stringify(Object.fromEntries(tally)));
    assert.equal(await f.wechatPayCalls(), before.calls, 'no refused request reached the channel');
    assert.equal(await records(), before.records, 'no refused request recorded an order');
    const ok = await f.post(signedValid);
    assert.equal(ok.data?.returnCode, '000000', JSON.stringify(ok));
  });
}
