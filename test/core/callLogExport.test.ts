import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import type { CallRecord } from '../../src/core/callLog.ts';
import { backendNames, TEST_ADMIN_TOKEN } from '../helpers/backends.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

/** 2,500 calls (more than two export pages of 1,000), the 2,001st with an endpoint and outcomes a CSV must quote or guard. */
const CALLS = 2500;
const START = 1_750_000_000_000;
const call = (i: number): CallRecord => ({
  at: START + i * 1000,
  front: i % 5 === 0 ? 'storepos' : 'opretail',
  endpoint: i === 2001 ? 'odd, "quoted"\nendpoint' : `method.${i % 3}`,
  credential: i % 7 === 0 ? null : `key-${i % 4}`,
  outcome: i === 2001 ? '=HYPERLINK("x")' : i % 5 === 0 ? '-500' : '0',
  result: i % 5 === 0 ? 'error' : 'ok',
  latencyMs: 1.5,
  requestId: `req-${i}`,
});

async function seeded(backend: ReturnType<typeof backendNames>[number]): Promise<TestServer> {
  const s = await startServer({ backend });
  for (let i = 0; i < CALLS; i++) s.k.callLog.record(call(i));
  await s.k.callLog.flush();
  return s;
}

async function download(s: TestServer, query: string): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(`${s.url}/admin/api/calls/export?${query}`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

for (const backend of backendNames()) {
  test(`the call log's total, and its export as CSV and JSON lines over HTTP: filters, paging, quoting (${backend})`, async (t) => {
    const s = await seeded(backend);
    t.after(() => s.close());

    // The list says how many the filters select, whatever the page.
    const page = await s.admin('/calls?front=storepos&limit=3&offset=1');
    assert.equal(page.status, 200, JSON.stringify(page.body));
    assert.equal(page.body.total, CALLS / 5);
    assert.deepEqual(
      page.body.calls.map((c: { requestId: string }) => c.requestId),
      ['req-2490', 'req-2485', 'req-2480'],
    );

    // JSON lines: every call, newest first, across the pages, each the admin API's shape.
    const jsonl = await download(s, 'format=jsonl');
    assert.equal(jsonl.status, 200);
    assert.match(jsonl.type ?? '', /^application\/x-ndjson/);
    const lines = jsonl.text.trimEnd().split('\n');
    assert.equal(lines.length, CALLS);
    const rows = lines.map((l) => JSON.parse(l) as { requestId: string; at: string; endpoint: string; credential: string | null });
    assert.deepEqual(
      rows.map((r) => r.requestId),
      Array.from({ length: CALLS }, (_, i) => `req-${CALLS - 1 - i}`),
    );
    assert.deepEqual(rows[CALLS - 1 - 2001], {
      ...call(2001),
      at: new Date(call(2001).at).toISOString(),
    });

    // CSV with a filter: a header row, the filtered calls only, RFC 4180 quoting, the formula guarded, -500 left a number.
    const csv = await download(s, `format=csv&front=opretail&since=${new Date(START + 100_000).toISOString()}`);
    assert.equal(csv.status, 200);
    assert.match(csv.type ?? '', /^text\/csv/);
    assert.ok(csv.text.startsWith('at,front,endpoint,credential,outcome,result,latencyMs,requestId\r\n'));
    const table = parse(csv.text, { columns: true }) as Record<string, string>[];
    const expected = Array.from({ length: CALLS }, (_, i) => CALLS - 1 - i).filter((i) => i >= 100 && i % 5 !== 0);
    assert.deepEqual(
      table.map((r) => r.requestId),
      expected.map((i) => `req-${i}`),
    );
    const odd = table.find((r) => r.requestId === 'req-2001')!;
    assert.equal(odd.endpoint, 'odd, "quoted"\nendpoint');
    assert.equal(odd.outcome, `'=HYPERLINK("x")`);
    assert.equal(table.find((r) => r.requestId === 'req-2001')!.credential, 'key-1');
    assert.equal(table.find((r) => r.requestId === 'req-2002')!.credential, '', 'a null credential is an empty cell');
    const storepos = parse((await download(s, 'format=csv&outcome=-500&limit=2')).text, { columns: true }) as Record<string, string>[];
    assert.deepEqual(
      storepos.map((r) => [r.requestId, r.outcome, r.result]),
      [
        ['req-2495', '-500', 'error'],
        ['req-2490', '-500', 'error'],
      ],
    );
    // The shared result is a filter like the others.
    const errors = (await download(s, 'format=jsonl&result=error')).text.trimEnd().split('\n');
    assert.equal(errors.length, CALLS / 5);

    // A limit and an offset that cross a page boundary: exactly those rows, none twice.
    const window = (await download(s, 'format=jsonl&offset=900&limit=1200')).text.trimEnd().split('\n');
    assert.equal(window.length, 1200);
    assert.equal((JSON.parse(window[0]!) as { requestId: string }).requestId, `req-${CALLS - 1 - 900}`);
    assert.equal((JSON.parse(window.at(-1)!) as { requestId: string }).requestId, `req-${CALLS - 1 - 900 - 1199}`);

    // Bad input is named.
    const noFormat = await download(s, 'front=opretail');
    assert.equal(noFormat.status, 400);
    assert.match(noFormat.text, /format/);
    const badFormat = await download(s, 'format=xlsx');
    assert.equal(badFormat.status, 400);
    assert.match(badFormat.text, /format/);
    const badTime = await download(s, 'format=csv&since=yesterday');
    assert.equal(badTime.status, 400);
    assert.match(badTime.text, /since must be an ISO 8601 time/);
  });
}
