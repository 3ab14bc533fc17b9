import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InvalidInput } from '../../../kernel/errors.ts';
import {
  choice,
  confirmed,
  deleteCommand,
  leaf,
  lines,
  listOptions,
  output,
  pageOf,
  readSecret,
  SHOWN_ONCE,
  table,
  wholeNumber,
  wholeNumberOr,
  type CliOptions,
  type CliRunner,
} from '../../kit/cli.ts';
import { weitingOperations, type ImportReport, type WeitingOperations } from './operations.ts';
import type { AppView } from './present.ts';
import type { WeitingServices } from '../services.ts';

/**
 * `kaifang weiting apps|tickets|users|notices|orders …`: the admin API's operations run directly
 * against the store. Every command takes --json and --data-dir.
 */

type Run = (command: Command, options: CliOptions, body: (ops: WeitingOperations) => Promise<void>) => Promise<void>;
const limitValue = (v: number | string | undefined) => (v === undefined ? undefined : v === 'default' ? null : (v as number));
const collect = (value: string, previous: string[]) => [...previous, value];

function formatApp(a: AppView): string {
  const out = lines([
    ['appid', a.appid],
    ...(a.secret !== undefined ? ([['secret', a.secret]] as [string, unknown][]) : []),
    ['name', a.name],
    ['status', a.status],
    ['allowedHosts', a.allowedHosts.join(', ') || '(none: the login broker refuses every URL)'],
    ['dailyTokenLimit', a.dailyTokenLimit ?? 'default'],
  ]);
  return a.secret !== undefined ? `${out}\n\n${SHOWN_ONCE}` : out;
}

/** Every row when there are few; else the refused ones (all rows are in --json). */
function formatReport(r: ImportReport): string {
  const rows = r.rows.length <= 50 ? r.rows : r.rows.filter((row) => row.result === 'refused');
  const detail = rows.length
    ? table(
        ['LINE', 'OPENID', 'RESULT', 'REASON'],
        rows.map((row) => [row.line, row.openid, row.result, row.reason]),
      )
    : '';
  const counts = `created ${r.counts.created}, updated ${r.counts.updated}, skipped ${r.counts.skipped}, refused ${r.counts.refused}`;
  return detail ? `${detail}\n\n${counts}` : counts;
}

function appCommands(apps: Command, run: Run): void {
  const hostsOption = (c: Command) =>
    c.option(
      '--allowed-host <host>',
      'a host the login broker may send users back to (repeat for more): partner.example.com, *.example.com, 127.0.0.1:8080',
      collect,
      [],
    );
  const limitOption = (c: Command) =>
    c.option(
      '--daily-token-limit <n>',
      'access tokens per China day, or "default" (KAIFANG_WEITING_TOKEN_DAILY_LIMIT)',
      wholeNumberOr('default'),
    );
  type AppOptions = CliOptions & { name?: string; allowedHost: string[]; dailyTokenLimit?: number | string };
  const appInput = (o: AppOptions) => ({
    ...(o.allowedHost.length ? { allowedHosts: o.allowedHost } : {}),
    ...(o.dailyTokenLimit !== undefined ? { dailyTokenLimit: limitValue(o.dailyTokenLimit) } : {}),
  });

  limitOption(
    hostsOption(leaf(apps, 'create', 'create a partner app (appid wt + 16 hex digits) with a random 32-character secret (printed once)')),
  )
    .requiredOption('--name <name>', 'app name')
    .action((o: AppOptions & { name: string }, cmd: Command) =>
      run(cmd, o, async (ops) => {
        const a = await ops.createApp({ name: o.name, ...appInput(o) });
        output(o.json, a, () => formatApp(a));
      }),
    );
  limitOption(hostsOption(leaf(apps, 'import', 'bring over an existing app with its appid and secret, as they are')))
    .requiredOption('--appid <appid>', 'the existing appid')
    .requiredOption('--secret <secret>', 'the existing secret ("-" reads it from stdin)')
    .requiredOption('--name <name>', 'app name')
    .action((o: AppOptions & { name: string; appid: string; secret: string }, cmd: Command) =>
      run(cmd, o, async (ops) => {
        const a = await ops.createApp({ name: o.name, appid: o.appid, secret: readSecret(o.secret, 'secret'), ...appInput(o) });
        const { secret: _secret, ...shown } = a; // the operator already holds it
        output(o.json, shown, () => formatApp(shown));
      }),
    );
  listOptions(leaf(apps, 'list', 'list partner apps; --search matches appid and name')).action(
    (o: CliOptions & { limit?: number; offset?: number; search?: string }, cmd: Command) =>
      run(cmd, o, async (ops) => {
        const r = await ops.listApps(pageOf(o));
        output(o.json, r, () =>
          r.apps.length
            ? table(
                ['APPID', 'NAME', 'STATUS', 'ALLOWED_HOSTS'],
                r.apps.map((a) => [a.appid, a.name, a.status, a.allowedHosts.join(',')]),
              )
            : 'no apps',
        );
      }),
  );
  leaf(apps, 'show <appid>', 'show a partner app').action((appid: string, o: CliOptions, cmd: Command) =>
    run(cmd, o, async (ops) => {
      const a = await ops.showApp(appid);
      output(o.json, a, () => formatApp(a));
    }),
  );
  limitOption(
    hostsOption(
      leaf(apps, 'set <appid>', "change an app's name, allowed hosts (the list given replaces the old one) or daily token limit"),
    ),
  )
    .option('--name <name>', 'app name')
    .option('--no-allowed-hosts', 'allow no host at all (the login broker refuses every URL)')
    .action((appid: string, o: AppOptions & { allowedHosts?: boolean }, cmd: Command) =>
      run(cmd, o, async (ops) => {
        const changes = {
          ...(o.name !== undefined ? { name: o.name } : {}),
          ...appInput(o),
          ...(o.allowedHosts === false ? { allowedHosts: [] } : {}),
        };
        if (Object.keys(changes).length === 0)
          throw new InvalidInput('options', 'nothing to change: give --name, --allowed-host, --no-allowed-hosts or --daily-token-limit');
        const a = await ops.updateApp(appid, changes);
        output(o.json, a, () => formatApp(a));
      }),
    );
  for (const [verb, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    leaf(
      apps,
      `${verb} <appid>`,
      enabled
        ? 'enable an app (its tokens revoked by disable stay revoked)'
        : 'disable an app (its tokens are revoked and answer access_token校验异常, new ones are refused)',
    ).action((appid: string, o: CliOptions, cmd: Command) =>
      run(cmd, o, async (ops) => {
        const a = await ops.updateApp(appid, { enabled });
        output(o.json, a, () => formatApp(a));
      }),
    );
  }
  leaf(
    apps,
    'rotate-secret <appid>',
    'give the app a new secret (printed once); the old one stops working and the access tokens issued under it are revoked',
  )
    .option('--secret <secret>', 'deprecated: use set-secret')
    .action((appid: string, o: CliOptions & { secret?: string }, cmd: Command) =>
      run(cmd, o, async (ops) => {
        const a = await ops.rotateAppSecret(appid, o.secret === undefined ? undefined : readSecret(o.secret, 'secret'));
        output(o.json, a, () => formatApp(a));
      }),
    );
  leaf(apps, 'set-secret <appid>', "set the app's secret to the one given; the old one and its access tokens stop working")
    .requiredOption('--secret <secret>', 'the new secret ("-" reads it from stdin)')
    .action((appid: string, o: CliOptions & { secret: string }, cmd: Command) =>
      run(cmd, o, async (ops) => {
        const a = await ops.setAppSecret(appid, readSecret(o.secret, 'secret'));
        output(o.json, a, () => formatApp(a));
      }),
    );
  deleteCommand(apps, 'appid', 'delete an app and end its access tokens', 'also delete the notices and reports made with it').action(
    (appid: string, o: CliOptions & { yes?: boolean; cascade?: boolean }, cmd: Command) =>
      run(cmd, o, async (ops) => {
        confirmed(o, `app ${appid}`);
        const r = await ops.deleteApp(appid, o.cascade ?? false);
        output(o.json, r, () => `deleted app ${appid} (${r.notices} notice(s), ${r.reports} report(s) with it)`);
      }),
  );
  leaf(apps, 'revoke-tokens <appid>', 'revoke every access token of the app now (the partner gets a new one with its secret)').action(
    (appid: string, o: CliOptions, cmd: Command) =>
      run(cmd, o, async (ops) => {
        const r = await ops.revokeTokens(appid);
        output(o.json, r, () => `revoked ${r.revoked} access token${r.revoked === 1 ? '' : 's'} of ${r.appid}`);
      }),
  );
}

/** Adds `apps`, `tickets`, `users`, `notices` and `orders` to `kaifang weiting`. */
export function weitingCli(wt: Command, runner: CliRunner<WeitingServices>): void {
  const run: Run = (command, options, body) => runner(command, options, (s) => body(weitingOperations(s)));
  appCommands(wt.command('apps').description('partner apps (appid + secret), where their logins may return, their daily token limit'), run);

  const tickets = wt.command('tickets').description('app quick-entry tickets (appOauthen/Ticket)');
  leaf(tickets, 'issue', 'issue a ticket for a logged-in mobile number (5 minutes, single use)')
    .requiredOption('--mobile <mobile>', 'the mobile number the ticket stands for')
    .action((o: CliOptions & { mobile: string }, cmd: Command) =>
      run(cmd, o, async (ops) => {
        const t = await ops.issueTicket(o.mobile);
        output(o.json, t, () =>
          lines([
            ['ticket', t.ticket],
            ['expiresIn', `${t.expiresIn} s`],
          ]),
        );
      }),
    );

  const users = wt.command('users').description("the official account's users and their bound devices");
  leaf(users, 'show <openid>', 'a user and their bound devices').action((openid: string, o: CliOptions, cmd: Command) =>
    run(cmd, o, async (ops) => {
      const u = await ops.showUser(openid);
      output(o.json, u, () => {
        const head = lines([
          ['openid', u.openid],
          ['_id', u.publicId],
          ['nickname', u.nickname],
          ['headimg', u.headimg],
        ]);
        const devices = u.accounts.length
          ? table(
              ['DEVICENO', 'DEVICENAME', 'BPN', 'SORT'],
              u.accounts.map((a) => [a.deviceno, a.devicename, a.bpn, a.sort]),
            )
          : 'no bound devices';
        return `${head}\n\n${devices}`;
      });
    }),
  );
  leaf(
    users,
    'import <file>',
    'import users and bound devices from CSV (a header line: openid,nickname,headimg,deviceno,devicename,bindtime,bpn,sort) or JSON lines; "-" reads stdin',
  )
    .option(
      '--format <format>',
      'csv or jsonl (default: from the file name, else from the first line)',
      choice('--format', { csv: 'csv' as const, jsonl: 'jsonl' as const, ndjson: 'jsonl' as const }),
    )
    .action((file: string, o: CliOptions & { format?: 'csv' | 'jsonl' }, cmd: Command) =>
      run(cmd, o, async (ops) => {
        let text: string;
        try {
          text = readFileSync(file === '-' ? 0 : file, 'utf8');
        } catch (err) {
          throw new InvalidInput('file', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
        }
        const format =
          o.format ??
          (/\.csv$/i.test(file) ? 'csv' : /\.(jsonl|ndjson)$/i.test(file) ? 'jsonl' : text.trimStart().startsWith('{') ? 'jsonl' : 'csv');
        const report = await ops.importUsers(text, format);
        output(o.json, report, () => formatReport(report));
        if (report.counts.refused > 0) process.exitCode = 2;
      }),
    );

  const listOptions = (c: Command) =>
    c.option('--openid <openid>', 'only this user').option('--limit <n>', 'at most this many (1–500, default 50)', wholeNumber);
  type ListOptions = CliOptions & { openid?: string; limit?: number };
  listOptions(leaf(wt, 'notices', 'prize notices sent, newest first: outcome, WeChat msgid, reason')).action(
    (o: ListOptions, cmd: Command) =>
      run(cmd, o, async (ops) => {
        const r = await ops.listNotices({ ...(o.openid ? { openid: o.openid } : {}), ...(o.limit ? { limit: o.limit } : {}) });
        output(o.json, r, () =>
          r.notices.length
            ? table(
                ['AT', 'APPID', 'OPENID', 'OUTCOME', 'MSGID', 'REASON'],
                r.notices.map((n) => [n.createdAt, n.appid, n.openid, n.outcome, n.msgid, n.reason]),
              )
            : 'no notices',
        );
      }),
  );
  listOptions(leaf(wt, 'orders', 'data-plan orders reported by partners, newest first')).action((o: ListOptions, cmd: Command) =>
    run(cmd, o, async (ops) => {
      const r = await ops.listOrders({ ...(o.openid ? { openid: o.openid } : {}), ...(o.limit ? { limit: o.limit } : {}) });
      output(o.json, r, () =>
        r.orders.length
          ? table(
              ['ORDER_NO', 'APPID', 'OPENID', 'DEVICENO', 'PACKAGE'],
              r.orders.map((x) => [x.orderNo, x.appid, x.openid, x.deviceno, x.fields.traffic_package_name]),
            )
          : 'no orders',
      );
    }),
  );
}
