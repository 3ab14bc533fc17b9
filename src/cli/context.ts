import { hostname, userInfo } from 'node:os';
import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import { DomainError, InvalidInput } from '../kernel/errors.ts';
import type { CliShell } from '../fronts/kit/front.ts';
import { flagOf, watchOutput } from '../fronts/kit/cli.ts';
import { redactUrl } from '../kernel/settings.ts';
import { loadConfig, type Config } from '../server/config.ts';
import { sqliteFile, storeExists } from '../store/database.ts';
import type { Core } from '../core/platform.ts';
import { openOperatorCore } from '../server/operatorCore.ts';
import { AuditLog, isReadCommand } from '../core/auditLog.ts';

/** Options every command accepts, layered over the environment. */
export interface GlobalOptions {
  dataDir?: string;
}

export function configFrom(options: GlobalOptions & Partial<Config>): Config {
  return loadConfig(process.env, {
    ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
  });
}

/** A store the operator pointed at that holds no kaifang store. */
export class NoStore extends Error {
  override readonly name = 'NoStore';
}

/**
 * Refuses a place that holds no kaifang store, naming where it looked and how to point elsewhere:
 * an operator command must never make a fresh store (and master key and admin token) beside the
 * real one. Only `serve` and `migrate` create a store.
 */
export async function requireStore(config: Config): Promise<void> {
  if (await storeExists(config)) return;
  const where = config.databaseUrl
    ? `the PostgreSQL database ${redactUrl(config.databaseUrl)}${config.databaseSchema ? ` (schema ${config.databaseSchema})` : ''} (DATABASE_URL)`
    : `${resolve(config.dataDir)} (no ${basename(sqliteFile(config.dataDir))} there)`;
  throw new NoStore(
    `no kaifang store in ${where}. Point at the server's store with --data-dir DIR or KAIFANG_DATA_DIR (the embedded SQLite store), or DATABASE_URL (PostgreSQL); \`kaifang serve\` and \`kaifang migrate\` create a new one`,
  );
}

/**
 * Opens the core on an existing store for one operator command, read-only, runs `run`, closes: no
 * server, metrics or other front is loaded (server/operatorCore.ts), so the command answers fast.
 */
export async function withCore<T>(options: GlobalOptions, run: (core: Core, config: Config) => Promise<T>): Promise<T> {
  const config = configFrom(options);
  await requireStore(config);
  const opened = await openOperatorCore(config);
  try {
    return await run(opened.core, config);
  } finally {
    await opened.close();
  }
}

/** Turns a thrown error into one line on stderr and exit code 1. */
export function fail(err: unknown): never {
  const e = err as Error;
  const prefix = err instanceof DomainError ? '' : e.name === 'ConfigError' ? 'configuration: ' : '';
  process.stderr.write(`kaifang: ${prefix}${e.message}\n`);
  process.exit(1);
}

/** Who the CLI acts as in the audit trail: `cli@<host>`, and the OS user. */
export function cliActor(): { actor: string; user: string } {
  let user = process.env.USER ?? '';
  try {
    user = userInfo().username;
  } catch {
    /* no passwd entry (a container's numeric user): keep $USER */
  }
  return { actor: `cli@${hostname()}`, user };
}

/** The command's words under `kaifang`: `opretail keys create`. */
export function commandPath(command: Command): string[] {
  const path: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) path.unshift(c.name());
  return path;
}

/**
 * What a front's CLI commands run in: the core opened on the store, one line on failure naming the
 * option at fault. Every write command — done or refused — is recorded in the audit trail here,
 * once for all fronts (server/audit.ts `cliAuditEntry` says which commands only read).
 */
export const cliShell: CliShell<Config> = {
  async run(command, options, body) {
    try {
      await withCore(options, async (core, config) => {
        const auditLog = new AuditLog(core.db, core.clock);
        let printed: unknown;
        watchOutput((data) => (printed = data));
        const audit = async (outcome: string) => {
          if (isReadCommand(commandPath(command))) return;
          // Loaded only for a write: it reads every front's console descriptor (the key of a created record).
          const { cliAuditEntry } = await import('../server/audit.ts');
          const entry = cliAuditEntry(commandPath(command), command.processedArgs, command.opts(), printed, cliActor(), outcome);
          if (entry) await auditLog.record(entry);
        };
        try {
          await body(core, config);
        } catch (err) {
          await audit(err instanceof DomainError ? `refused ${err.kind}` : 'failed').catch(() => undefined);
          throw err;
        } finally {
          watchOutput(undefined);
        }
        // The write is done: a failing audit write is said, not turned into a failed command.
        await audit('ok').catch((err: Error) =>
          process.stderr.write(`kaifang: warning: the audit trail was not written: ${err.message}\n`),
        );
      });
    } catch (err) {
      const flag = err instanceof InvalidInput ? flagOf(command, err.param) : undefined;
      fail(flag && err instanceof InvalidInput ? new InvalidInput(err.param, `${err.message} (${flag})`) : err);
    }
  },
};
