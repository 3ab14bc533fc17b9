import { InvalidInput } from './errors.ts';

/**
 * The field rules the core and the admin API share: one line per rule, each throwing
 * `InvalidInput` that names the field.
 */

/** Throws `InvalidInput(param, message)` unless `ok`: one line per field rule. */
export function check(param: string, ok: boolean, message: string): void {
  if (!ok) throw new InvalidInput(param, message);
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this pattern is for
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A name or description an operator types: 1–`max` characters, not blank, no control characters. */
export function checkText(param: string, value: string, max: number): void {
  check(param, typeof value === 'string' && value.trim().length > 0 && value.length <= max, `${param} must be 1–${max} characters`);
  check(param, !CONTROL.test(value), `${param} must not contain control characters`);
}

/**
 * A whole number from `min` to `max`. The bounds are what the database column and the runtime can
 * hold (a PostgreSQL integer column stops at 2^31 − 1, a timer at 2^31 − 1 ms), so a value that
 * passes here cannot fail later.
 */
export function checkInteger(param: string, value: number, min: number, max: number): void {
  check(param, Number.isSafeInteger(value) && value >= min && value <= max, `${param} must be a whole number from ${min} to ${max}`);
}

/** Upper bounds of the numbers operators set, shared by the core's rules and the admin API's schemas. */
export const LIMITS = {
  /** Calls per second (an integer column). */
  ratePerSecond: 1_000_000,
  /** Calls per day (an integer column). */
  ratePerDay: 1_000_000_000,
  /** SMS codes per day (an integer column). */
  smsDailyCap: 1_000_000_000,
  /** A method's upstream timeout, ms (an integer column; timers stop at 2^31 − 1 ms). */
  timeoutMs: 600_000,
  /** Enterprise ids (bigint columns, read back as JavaScript numbers). */
  enterpriseId: Number.MAX_SAFE_INTEGER,
} as const;
