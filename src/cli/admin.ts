import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { newAdminToken, presentToken, type AdminTokenInfo } from '../core/adminTokens.ts';
import type { AuditEntry } from '../core/auditLog.ts';
import { choice, leaf, lines, output, table, wholeNumber } from '../fronts/kit/cli.ts';
import { timeParam } from '../core/callQuery.ts';
import { AdminTokens } from '../core/adminTokens.ts';
import { AuditLog, presentAudit } from '../core/auditLog.ts';
import { manifests } from '../fronts/manifests.ts';
import { cliActor, configFrom, fail, withCore, type GlobalOptions } from './context.ts';

/**
 * `kaifang admin …` (the admin API's tokens) and `kaifang audit list` (the audit trail). Every
 * write here is recorded in the audit trail as `cli@<host>`.
 */

interface Common extends GlobalOptions {
  json?: boolean;
}

/** What these commands work on: the store's tokens and audit trail (no server is opened). */
interface Platform {
  adminTokens: AdminTokens;
  audit: AuditLog;
}

/** Runs one platform command on the store; an error becomes one line and exit code 1. */
async function run(options: Common, body: (k: Platform) => Promise<void>): Promise<void> {
  try {
    await withCore(options, (core, config) =>
      body({
        // No request is authorized here: the bootstrap token only matters to a server's checks.
        adminTokens: new AdminTokens(
          core.db,
          core.clock,
          '',
          manifests.map((m) => m.name),
          config.adminTokenCacheMs,
        ),
        audit: new AuditLog(core.db, core.clock),
      }),
    );
  } catch (err) {
    fail(err);
  }
}

async function audit(k: Platform, entry: Omit<AuditEntry, 'actor' | 'outcome'>): Promise<void> {
  const who = cliActor();
  await k.audit.record({ ...entry, actor: who.actor, outcome: 'ok', detail: { ...(entry.detail as object), osUser: who.user } });
}

const formatToken = (t: ReturnType<typeof presentToken>) =>
  lines([
    ['name', t.name],
    ['scope', t.scope],
    ['fronts', t.fronts?.join(', ') ?? 'every front'],
    ['created', t.createdAt],
    ['last used', t.lastUsedAt],
    ['status', t.status],
  ]);

export function adminCommand(program: Command): void {
  const admin = program.command('admin').description("the admin API's tokens: the root token and named scoped ones");

  leaf(
    admin,
    'rotate-token',
    'replace the root admin token (data-dir/admin.token); every process refuses the old one within KAIFANG_ADMIN_TOKEN_CACHE_MS',
  ).action((o: Common) => run(o, (k) => rotate(k, o)));

  const tokens = admin.command('tokens').description('named scoped tokens: read-only or read-write, for every front or some');
  const scope = choice('--scope', { read: 'read', write: 'write' } as Record<string, 'read' | 'write'>);
  leaf(tokens, 'create', 'issue a named token; prints it once')
    .requiredOption('--name <name>', 'a name of your choosing (letters, digits, . _ -), shown in the audit trail')
    .requiredOption('--scope <scope>', 'read (GET only) or write', scope)
    .option('--front <front>', 'only this front (give it again for more); absent = every front', (v: string, all: string[] = []) => [
      ...all,
      v,
    ])
    .action((o: Common & { name: string; scope: 'read' | 'write'; front?: string[] }) =>
      run(o, async (k) => {
        const made = await k.adminTokens.create({ name: o.name, scope: o.scope, ...(o.front ? { fronts: o.front } : {}) });
        await audit(k, { action: 'admin tokens create', objectId: made.name, detail: { scope: made.scope, fronts: made.fronts } });
        const shown = { ...presentToken(made), token: made.token };
        output(
          o.json,
          shown,
          () => `${formatToken(shown)}\n${lines([['token', made.token]])}\n\nThe token is shown only this once: store it safely now.`,
        );
      }),
    );
  leaf(tokens, 'list', 'list the scoped tokens (never their secrets)').action((o: Common) =>
    run(o, async (k) => {
      const list = (await k.adminTokens.list()).map(presentToken);
      output(o.json, { tokens: list }, () =>
        list.length === 0
          ? 'no scoped tokens (the root token is data-dir/admin.token or KAIFANG_ADMIN_TOKEN)'
          : table(
              ['NAME', 'SCOPE', 'FRONTS', 'CREATED', 'LAST USED', 'STATUS'],
              list.map((t) => [t.name, t.scope, t.fronts?.join(',') ?? '*', t.createdAt, t.lastUsedAt, t.status]),
            ),
      );
    }),
  );
  leaf(tokens, 'revoke <name>', 'revoke a scoped token: refused everywhere within KAIFANG_ADMIN_TOKEN_CACHE_MS').action(
    (name: string, o: Common) =>
      run(o, async (k) => {
        const info: AdminTokenInfo = await k.adminTokens.revoke(name);
        await audit(k, { action: 'admin tokens revoke', objectId: name });
        const shown = presentToken(info);
        output(o.json, shown, () => formatToken(shown));
      }),
  );
}

/**
 * A new root token: written to admin.token.new (0600), its hash recorded in the store (from then on
 * the store's root is the root token everywhere), then renamed over admin.token. With
 * KAIFANG_ADMIN_TOKEN the token lives in each process's environment, which this cannot change.
 */
async function rotate(k: Platform, o: Common): Promise<void> {
  const config = configFrom(o);
  if (config.adminToken !== undefined)
    throw new Error(
      'KAIFANG_ADMIN_TOKEN is set: the root token is that setting. Unset it to use data-dir/admin.token (then rotate), or give every process a new value and restart them',
    );
  const file = resolve(join(config.dataDir, 'admin.token'));
  const next = `${file}.new`;
  const token = newAdminToken();
  rmSync(next, { force: true });
  const fd = openSync(next, 'wx', 0o600);
  try {
    writeSync(fd, `${token}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    await k.adminTokens.setRoot(token);
  } catch (err) {
    rmSync(next, { force: true });
    throw err;
  }
  renameSync(next, file);
  await audit(k, { action: 'admin rotate-token', objectId: 'root', detail: { file } });
  const result = { rotated: true, file, takesEffectWithinMs: config.adminTokenCacheMs };
  output(o.json, result, () =>
    [
      `The new root token is in ${file} (mode 0600).`,
      `Every process refuses the old one within ${config.adminTokenCacheMs} ms (KAIFANG_ADMIN_TOKEN_CACHE_MS); console sessions stay signed in.`,
      'Processes on other hosts keep their own admin.token: copy the new file there before their next restart.',
    ].join('\n'),
  );
}

export function auditCommand(program: Command): void {
  const auditCmd = program.command('audit').description('the audit trail: every admin write, from the API and the CLI');
  leaf(auditCmd, 'list', 'list audit entries, newest first')
    .option('--actor <actor>', "only this actor: a token's name, console:<name>, cli@<host>")
    .option('--front <front>', 'only writes to this front')
    .option('--action <text>', 'only actions containing this text')
    .option('--object <id>', 'only writes to this object')
    .option('--since <time>', 'inclusive: ISO 8601 or ms since the epoch')
    .option('--until <time>', 'exclusive: ISO 8601 or ms since the epoch')
    .option('--limit <n>', 'at most this many (up to 1000)', wholeNumber, 100)
    .option('--offset <n>', 'skip this many', wholeNumber, 0)
    .action(
      (
        o: Common & {
          actor?: string;
          front?: string;
          action?: string;
          object?: string;
          since?: string;
          until?: string;
          limit: number;
          offset: number;
        },
      ) =>
        run(o, async (k) => {
          const entries = (
            await k.audit.query({
              ...(o.actor ? { actor: o.actor } : {}),
              ...(o.front ? { front: o.front } : {}),
              ...(o.action ? { action: o.action } : {}),
              ...(o.object ? { objectId: o.object } : {}),
              since: timeParam('since', o.since),
              until: timeParam('until', o.until),
              limit: Math.min(Math.max(o.limit, 1), 1000),
              offset: o.offset,
            })
          ).map(presentAudit);
          output(o.json, { entries, limit: o.limit, offset: o.offset }, () =>
            entries.length === 0
              ? 'no audit entries match'
              : table(
                  ['AT', 'ACTOR', 'ACTION', 'OBJECT', 'OUTCOME'],
                  entries.map((e) => [e.at, e.actor, e.action, e.objectId, e.outcome]),
                ),
          );
        }),
    );
}
