import { createWriteStream, rmSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { InvalidArgumentError, type Command } from 'commander';
import { CallLog } from '../core/callLog.ts';
import { CALL_FILTERS, callsQuery, EXPORT_MAX_ROWS, timeParam, type CallQuery } from '../core/callQuery.ts';
import { exportCalls, presentCall, type ExportFormat } from '../core/callLogExport.ts';
import { InvalidInput } from '../kernel/errors.ts';
import { choice, flagOf, leaf, output, table, wholeNumber, type CliOptions } from '../fronts/kit/cli.ts';
import { fail, withCore } from './context.ts';

/**
 * `kaifang calls list` and `kaifang calls export`: the call log as `GET /admin/api/calls` and its
 * export serve it, read straight from the store (read-only: no file is made in the data directory).
 * Their filter options are made from the admin API's (core/callQuery.ts), so a filter added there
 * is an option here.
 */

type Filters = { [name: string]: string | undefined } & { since?: string; until?: string };

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** --front, --endpoint, … (one per filter of the admin API), --since and --until. */
function filterOptions(command: Command): Command {
  const properties = callsQuery.properties as Record<string, { description: string; enum?: readonly string[] }>;
  for (const filter of CALL_FILTERS) {
    const { description, enum: values } = properties[filter]!;
    const flag = `--${kebab(filter)}`;
    // A filter of a closed set (result) takes only its words, as the admin API does.
    if (values) command.option(`${flag} <${kebab(filter)}>`, description, choice(flag, Object.fromEntries(values.map((v) => [v, v]))));
    else command.option(`${flag} <${kebab(filter)}>`, description);
  }
  return command
    .option('--since <time>', 'from this time (inclusive): ISO 8601 such as 2026-03-01T04:00:00Z, or ms since the epoch')
    .option('--until <time>', 'up to this time (exclusive): ISO 8601 or ms since the epoch');
}

function queryOf(o: Filters): CallQuery {
  const query: CallQuery = { since: timeParam('since', o.since), until: timeParam('until', o.until) };
  for (const filter of CALL_FILTERS) if (o[filter] !== undefined) query[filter] = o[filter];
  return query;
}

/** Runs a command on the store's call log; an error is one line naming the option at fault. */
async function run(command: Command, options: CliOptions, body: (callLog: CallLog) => Promise<void>): Promise<void> {
  try {
    await withCore(options, (core) => body(new CallLog(core.db, () => undefined)));
  } catch (err) {
    const flag = err instanceof InvalidInput ? flagOf(command, err.param) : undefined;
    fail(flag && err instanceof InvalidInput ? new InvalidInput(err.param, `${err.message} (${flag})`) : err);
  }
}

/** A bounded whole number option, naming the bounds otherwise. */
function between(min: number, max: number) {
  return (value: string): number => {
    const n = wholeNumber(value);
    if (n < min || n > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    return n;
  };
}

export function callsCommand(program: Command): void {
  const calls = program.command('calls').description('the call log: every API call, newest first (never a secret)');

  filterOptions(leaf(calls, 'list', 'list calls, newest first, a page at a time'))
    .option('--limit <n>', 'at most this many (up to 1000)', between(1, 1000), 100)
    .option('--offset <n>', 'skip this many (the next page)', wholeNumber, 0)
    .action(async (o: CliOptions & Filters & { limit: number; offset: number }, cmd: Command) =>
      run(cmd, o, async (callLog) => {
        const query = { ...queryOf(o), limit: o.limit, offset: o.offset };
        const [rows, total] = await Promise.all([callLog.query(query), callLog.count(query)]);
        const page = { calls: rows.map(presentCall), total, limit: o.limit, offset: o.offset };
        output(o.json, page, () => {
          if (rows.length === 0) return total === 0 ? 'no calls' : `no calls after the first ${o.offset} (of ${total})`;
          const shown = table(
            ['at', 'front', 'endpoint', 'credential', 'outcome', 'result', 'ms', 'request id'],
            page.calls.map((c) => [c.at, c.front, c.endpoint, c.credential, c.outcome, c.result, c.latencyMs.toFixed(1), c.requestId]),
          );
          const more = o.offset + rows.length < total ? `; next page: --offset ${o.offset + rows.length}` : '';
          return `${shown}\n${o.offset + 1}–${o.offset + rows.length} of ${total}${more}`;
        });
      }),
    );

  filterOptions(
    calls
      .command('export')
      .description('write the calls the filters select, newest first, as CSV or JSON lines')
      .requiredOption(
        '--format <format>',
        'csv (a header row, RFC 4180) or jsonl (one JSON object a line)',
        choice('--format', { csv: 'csv', jsonl: 'jsonl' }),
      )
      .option('--output <file>', 'write to this file instead of standard output')
      .option('--data-dir <dir>', 'data directory (KAIFANG_DATA_DIR)'),
  )
    .option('--limit <n>', `at most this many (up to ${EXPORT_MAX_ROWS}, the default)`, between(1, EXPORT_MAX_ROWS), EXPORT_MAX_ROWS)
    .option('--offset <n>', 'skip this many of the newest', wholeNumber, 0)
    .action(async (o: CliOptions & Filters & { format: ExportFormat; output?: string; limit: number; offset: number }, cmd: Command) =>
      run(cmd, o, async (callLog) => {
        const rows = Readable.from(exportCalls(callLog, { ...queryOf(o), limit: o.limit, offset: o.offset }, o.format));
        if (o.output === undefined) return pipeline(rows, process.stdout, { end: false });
        try {
          await pipeline(rows, createWriteStream(o.output));
        } catch (err) {
          // No half-written file is left to be taken for the whole export.
          rmSync(o.output, { force: true });
          throw err;
        }
      }),
    );
}
