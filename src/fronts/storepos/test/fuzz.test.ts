import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertSigned, storeposFixture, type Reply } from './helpers.ts';

/** A small seeded PRNG (mulberry32), so a failing case can be replayed from its seed. */
function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  return { next, int, pick };
}

/** encodeURIComponent, except that a lone surrogate (which it refuses) goes through raw. */
const enc = (s: string) => {
  try {
    return encodeURIComponent(s);
  } catch {
    return s;
  }
};

const PATHS = ['/Mch/GetMchSMSValid', '/Mch/CheckMchSMSValid', '/Open/WXA_Code2Session'];
const TYPES = [
  'application/x-www-form-urlencoded',
  'application/json',
  'text/plain',
  'application/xml',
  'multipart/form-data; boundary=x',
  '',
  'application/json; charset=gbk',
];
const ODD = [
  '',
  ' ',
  '中文',
  '\u0000',
  '\ud800',
  '😀'.repeat(50),
  'a'.repeat(5000),
  '%',
  '%zz',
  '&&&',
  '==',
  '+',
  '\r\n',
  '../../etc/passwd',
  '{"a":1}',
  '13800000000',
  '1.0',
  '0.1',
  '999999',
];
const NAMES = [
  'agent_id',
  'pid',
  'version',
  'sign',
  'mobile',
  'valid_code',
  'appid',
  'js_code',
  '__proto__',
  'constructor',
  'x'.repeat(300),
  '中文',
  '',
];

test('storepos fuzz: malformed requests never crash, never 5xx, always the storepos shape, never send', async (t) => {
  const f = await storeposFixture('sqlite');
  t.after(() => f.close());
  const seed = Number(process.env.FUZZ_SEED ?? 20240601);
  const r = rng(seed);

  const body = (): { type: string; data: string | Uint8Array } => {
    const type = r.pick(TYPES);
    switch (r.int(7)) {
      case 0: // random bytes
        return { type, data: Uint8Array.from({ length: r.int(200) }, () => r.int(256)) };
      case 1: {
        // form with odd names and values, duplicates and bad escapes
        const parts = Array.from({ length: r.int(12) }, () => `${enc(r.pick(NAMES))}=${r.next() < 0.3 ? r.pick(ODD) : enc(r.pick(ODD))}`);
        if (r.next() < 0.5) parts.push(`agent_id=${f.agentId}`);
        return { type, data: parts.join('&') };
      }
      case 2: {
        // JSON of odd shapes: nested, arrays, numbers, nulls, booleans
        const obj: Record<string, unknown> = { agent_id: r.next() < 0.5 ? f.agentId : r.pick(ODD) };
        for (let i = 0; i < r.int(8); i++)
          obj[r.pick(NAMES)] = r.pick<unknown>([r.pick(ODD), 1.5, -0, 1e308, null, true, [1], { a: { b: 1 } }]);
        return { type, data: JSON.stringify(obj) };
      }
      case 3: {
        // deep nesting
        const depth = 1 + r.int(5000);
        return { type, data: '['.repeat(depth) + ']'.repeat(depth) };
      }
      case 4: // broken JSON
        return { type, data: r.pick(['{', '{"a":', '{"a":1,}', 'null', '"s"', '1', '[]', '{"agent_id":"1"}}']) };
      case 5: // huge body (over the 64 KiB limit) or close to it
        return { type, data: 'mobile=' + 'x'.repeat(r.pick([60_000, 70_000, 200_000])) };
      default: {
        // a plausible signed-looking request with a wrong sign
        const params = new URLSearchParams({
          agent_id: f.agentId,
          pid: 'p',
          version: r.pick(['1.0', '0.9', 'x', '']),
          sign: r.pick(['', 'ABC', '0'.repeat(32)]),
          mobile: r.pick(ODD),
          valid_code: r.pick(ODD),
          appid: f.appid,
          js_code: r.pick(ODD),
        });
        return { type, data: params.toString() };
      }
    }
  };

  for (let i = 0; i < 300; i++) {
    const { type, data } = body();
    const path = r.pick(PATHS);
    const res = await fetch(f.s.url + path, {
      method: 'POST',
      headers: type ? { 'content-type': type } : {},
      body: typeof data === 'string' ? data : new Uint8Array(data),
    });
    const where = `case ${i} (FUZZ_SEED=${seed}) ${path} ${type}`;
    assert.ok(res.status < 500, `${where}: HTTP ${res.status}`);
    const text = await res.text();
    let reply: Reply;
    try {
      reply = JSON.parse(text) as Reply;
    } catch {
      assert.fail(`${where}: not JSON: ${text.slice(0, 200)}`);
    }
    assert.ok(
      ['FAIL', 'VER'].includes(reply.state) || (reply.state === 'SUCCESS' && reply.code === '10004'),
      `${where}: ${text.slice(0, 300)}`,
    );
    assertSigned(reply, reply.sign === '' ? null : f.key);
    assert.ok(!text.includes(f.key), `${where}: the key leaked`);
  }

  // Still healthy, nothing was sent, and a valid request is served.
  assert.equal((await fetch(f.s.url + '/healthz')).status, 200);
  const all = await f.s.admin('/sandbox/sms');
  assert.deepEqual(all.body.messages, []);
  const mobile = f.mobile();
  const ok = await f.post('/Mch/GetMchSMSValid', { mobile });
  assert.equal(ok.state, 'SUCCESS');
  assert.equal(ok.code, '20');
});
