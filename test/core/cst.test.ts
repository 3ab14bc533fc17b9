import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { formatCompact, formatDateTime, formatDay, msUntilNextDay, parseCompact, parseDateTime } from '../../src/kernel/cst.ts';

// Epoch values from Python (UTC = CST - 8h), e.g.
//   python3 -c 'import calendar;print(calendar.timegm((2025,6,30,4,34,56))*1000)'   -> 1751258096000
// and cross-checked with: TZ=Asia/Shanghai date -d @1751258096 '+%Y%m%d%H%M%S' -> 20250630123456
const NOON_ISH = 1751258096000; // 2025-06-30 12:34:56 CST
const NEW_YEAR = 1735660800000; // 2025-01-01 00:00:00 CST = 2024-12-31T16:00:00Z
const LEAP_DAY = 1709136000000; // 2024-02-29 00:00:00 CST
const LAST_SECOND = 1735747199000; // 2025-01-01 23:59:59 CST

test('formatting is CST', () => {
  assert.equal(formatCompact(NOON_ISH), '20250630123456');
  assert.equal(formatDateTime(NOON_ISH), '2025-06-30 12:34:56');
  assert.equal(formatCompact(0), '19700101080000');
  assert.equal(formatCompact(NEW_YEAR), '20250101000000');
  assert.equal(formatCompact(NEW_YEAR - 1000), '20241231235959');
  assert.equal(formatDay(NEW_YEAR), '2025-01-01');
  assert.equal(formatDay(NEW_YEAR - 1), '2024-12-31');
});

test('parsing is CST and round-trips', () => {
  assert.equal(parseCompact('20250630123456'), NOON_ISH);
  assert.equal(parseCompact('20250101000000'), NEW_YEAR);
  assert.equal(parseDateTime('2025-06-30 12:34:56'), NOON_ISH);
  assert.equal(parseDateTime('2025-06-30T12:34:56'), NOON_ISH);
  assert.equal(parseDateTime('2025-01-01'), NEW_YEAR);
  for (const ms of [NOON_ISH, NEW_YEAR, LEAP_DAY, LAST_SECOND, 0]) {
    assert.equal(parseCompact(formatCompact(ms)), ms);
    assert.equal(parseDateTime(formatDateTime(ms)), ms);
  }
});

test('leap years: Feb 29 exists in 2024 and 2000, not in 2025, 2023 or 2100', () => {
  assert.equal(parseCompact('20240229000000'), LEAP_DAY);
  assert.notEqual(parseCompact('20000229120000'), null);
  assert.equal(parseCompact('20250229120000'), null);
  assert.equal(parseCompact('20230229120000'), null);
  assert.equal(parseCompact('21000229120000'), null);
  assert.equal(parseDateTime('2100-02-29'), null);
  assert.notEqual(parseDateTime('2024-02-29 23:59:59'), null);
});

test('invalid dates and times are refused, never rolled over', () => {
  for (const bad of [
    '20250230120000', // Feb 30
    '20250431120000', // Apr 31
    '20251301120000', // month 13
    '20250001120000', // month 0
    '20250100120000', // day 0
    '20250101240000', // hour 24
    '20250101126000', // minute 60
    '20250101120060', // second 60
    '2025010112000', // 13 digits
    '202501011200000', // 15 digits
    '2025-01-01 12:00:00',
    '2025010112000a',
    ' 20250101120000',
    '2025-101120000', // 14 characters, not all digits
    '+2025010112000',
    '00990101120000', // year 99: Date.UTC would read 1999
    '２０２５０１０１１２００００', // full-width digits
    '',
  ]) {
    assert.equal(parseCompact(bad), null, bad);
  }
  for (const bad of ['2025-02-30 00:00:00', '2025-02-28 24:00:00', '2025-2-28', '2025-02-28 1:00:00', '20250228', '2025-02-28 ']) {
    assert.equal(parseDateTime(bad), null, bad);
  }
});

test('msUntilNextDay counts to the next CST midnight', () => {
  assert.equal(msUntilNextDay(LAST_SECOND), 1000);
  assert.equal(msUntilNextDay(NEW_YEAR), 86_400_000);
  assert.equal(msUntilNextDay(NEW_YEAR + 1), 86_400_000 - 1);
  assert.equal(msUntilNextDay(NOON_ISH), 86_400_000 - (12 * 3600 + 34 * 60 + 56) * 1000);
});

test('CST results do not depend on the host time zone (child processes with TZ=America/New_York and TZ=Asia/Kolkata)', () => {
  const child = fileURLToPath(new URL('./fixtures/cst-child.ts', import.meta.url));
  const expected = {
    formatCompact: '20250630123456',
    formatDateTime: '2025-06-30 12:34:56',
    formatDay: '2025-01-01',
    msUntilNextDay: 1000,
    parseCompact: NOON_ISH,
    parseDateTime: NOON_ISH,
  };
  for (const [tz, offsetMinutes, localHours] of [
    ['America/New_York', 240, 0], // EDT on 2025-06-30: 04:34:56Z is 00:34:56 local
    ['Asia/Kolkata', -330, 10],
    ['UTC', 0, 4],
  ] as const) {
    const out = execFileSync(process.execPath, ['--import', 'tsx', child], {
      env: { ...process.env, TZ: tz },
      encoding: 'utf8',
    });
    const got = JSON.parse(out) as Record<string, unknown>;
    // The child really runs in that zone (local-time getters disagree with CST)...
    assert.equal(got.tz, tz);
    assert.equal(got.offsetMinutes, offsetMinutes);
    assert.equal(got.localHours, localHours);
    // ...and the CST helpers still give the CST answers.
    const { tz: _tz, offsetMinutes: _o, localHours: _h, ...cst } = got;
    assert.deepEqual(cst, expected, tz);
  }
});
