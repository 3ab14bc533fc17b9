import { readFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { InvalidInput } from '../../kernel/errors.ts';

/**
 * The pieces every front's CLI commands are made of, so that all of them take the same options
 * (`--json`, `--data-dir`), read secrets the same way, and print the same kind of text: the admin
 * API's JSON with `--json`, else aligned `label  value` lines for one thing and a table for many.
 */

/** Options every resource command takes. */
export interface CliOptions {
  json?: boolean;
  dataDir?: string;
}

/**
 * Runs one command of a front: opens the store, builds the front's services, runs `body`, closes.
 * An error becomes one line on stderr (naming the option at fault when it can) and exit code 1.
 * Provided by the CLI shell (src/cli), which knows how to open kaifang.
 */
export type CliRunner<S> = (command: Command, options: CliOptions, body: (services: S) => Promise<void>) => Promise<void>;

/** A leaf command with the options every resource command has. */
export function leaf(parent: Command, nameAndArgs: string, description: string): Command {
  return parent
    .command(nameAndArgs)
    .description(description)
    .option('--json', 'print JSON (the same shapes as the admin API)')
    .option('--data-dir <dir>', 'data directory (KAIFANG_DATA_DIR)');
}

let outputSeen: ((data: unknown) => void) | undefined;

/** Hands what each command prints (its result, before formatting) to `seen`: the CLI shell takes a created record's key from it for the audit trail. */
export function watchOutput(seen: ((data: unknown) => void) | undefined): void {
  outputSeen = seen;
}

/**
 * Prints a result as JSON (`--json`) or as the human text; its `warnings`, if any, also go to
 * stderr (one line each), so a script reading stdout still sees them in the JSON.
 */
export function output(json: boolean | undefined, data: unknown, human: () => string): void {
  outputSeen?.(data);
  const warnings = (data as { warnings?: unknown } | null)?.warnings;
  if (Array.isArray(warnings)) for (const w of warnings) process.stderr.write(`kaifang: warning: ${String(w)}\n`);
  process.stdout.write(json ? JSON.stringify(data, null, 2) + '\n' : human() + '\n');
}

/**
 * Reads a secret given as an option value: `-` reads it from stdin, so a key or secret need not
 * appear in the shell history or `ps`. `param` names it in the error.
 */
export function readSecret(value: string, param: string): string {
  if (value !== '-') return value;
  let text: string;
  try {
    text = readFileSync(0, 'utf8');
  } catch (err) {
    // A terminal or a closed stdin: say what was expected, not how reading failed.
    throw new InvalidInput(
      param,
      `no ${param} on standard input (${(err as NodeJS.ErrnoException).code ?? 'unreadable'}): pipe it in, e.g. printf %s "$SECRET" | kaifang …`,
    );
  }
  const line = (text.split(/\r?\n/)[0] ?? '').trim();
  if (line === '') throw new InvalidInput(param, `no ${param} on standard input`);
  return line;
}

/** A whole number option ("expected a whole number" otherwise; commander names the option). */
export function wholeNumber(value: string): number {
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(Number(value))) throw new InvalidArgumentError('expected a whole number');
  return Number(value);
}

/** A whole number, or one of `words` (kept as the word, for the caller to map: commander turns a parser's null into ""). */
export function wholeNumberOr(...words: string[]) {
  return (value: string): number | string => (words.includes(value) ? value : wholeNumber(value));
}

/** One of the named choices (case-insensitive), naming the option and the choices otherwise. */
export function choice<T>(flag: string, names: Record<string, T>) {
  return (value: string): T => {
    const hit = names[value.toLowerCase()];
    if (hit === undefined) throw new InvalidArgumentError(`${flag} must be one of ${Object.keys(names).join(', ')}; got "${value}"`);
    return hit;
  };
}

/**
 * The option behind a field error: the option named like the field (`--enterprise-id` for
 * `enterpriseId`) or whose value placeholder names it (`--secret <applicationSecret>`).
 */
export function flagOf(command: Command, param: string): string | undefined {
  const kebab = `--${param.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  return command.options.find((o) => o.long === kebab || o.flags.includes(`<${param}>`))?.long;
}

const text = (v: unknown): string => (v === null || v === undefined || v === '' ? '-' : String(v));

/** `label  value` lines, labels padded to one width. */
export function lines(rows: [string, unknown][]): string {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${text(value)}`).join('\n');
}

/** A table with a header row; columns as wide as their widest cell. */
export function table(header: string[], rows: unknown[][]): string {
  const cells = [header, ...rows.map((r) => r.map(text))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n');
}

/** The note printed under a secret shown once. */
export const SHOWN_ONCE = 'The secret is shown only this once: store it safely now.';

/** The options of every list command: a page and a search (the admin API's `limit`, `offset`, `q`). */
export function listOptions(command: Command): Command {
  return command
    .option('--limit <n>', 'at most this many (up to 1000)', wholeNumber, 100)
    .option('--offset <n>', 'skip this many', wholeNumber, 0)
    .option('--search <text>', 'only those whose names contain this (case-insensitive)');
}

/** The admin API's list query from `listOptions`' options. */
export function pageOf(o: { limit?: number; offset?: number; search?: string }): { limit?: number; offset?: number; q?: string } {
  return {
    ...(o.limit !== undefined ? { limit: o.limit } : {}),
    ...(o.offset !== undefined ? { offset: o.offset } : {}),
    ...(o.search !== undefined ? { q: o.search } : {}),
  };
}

/** `… delete <id>`: with `--yes` only, since a deletion cannot be undone (and `--cascade` where records hang off). */
export function deleteCommand(parent: Command, what: string, description: string, cascade?: string): Command {
  const command = leaf(parent, `delete <${what}>`, description).option('--yes', 'confirm: the deletion cannot be undone');
  return cascade ? command.option('--cascade', cascade) : command;
}

/** Refuses a deletion not confirmed with `--yes`. */
export function confirmed(o: { yes?: boolean }, what: string): void {
  if (!o.yes) throw new InvalidInput('yes', `deleting ${what} cannot be undone: add --yes to confirm`);
}
