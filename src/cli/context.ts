import { readFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { loadConfig, type Config } from '../server/config.ts';
import { createKaifang, type Kaifang } from '../server/kaifang.ts';
import { createLogger } from '../server/logger.ts';
import { DomainError, InvalidInput } from '../core/errors.ts';

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

/** Opens kaifang for one CLI command (logging only warnings, to stderr), runs it, closes. */
export async function withKaifang<T>(options: GlobalOptions, run: (k: Kaifang) => Promise<T>): Promise<T> {
  const config = configFrom(options);
  const k = await createKaifang(config, { logger: createLogger('warn', process.stderr as never) });
  try {
    return await run(k);
  } finally {
    await k.close();
  }
}

/** Prints a result as JSON (`--json`) or as the human text. */
export function output(json: boolean | undefined, data: unknown, human: () => string): void {
  process.stdout.write(json ? JSON.stringify(data, null, 2) + '\n' : human() + '\n');
}

/** Turns a thrown error into one line on stderr and exit code 1 (2 for usage errors). */
export function fail(err: unknown): never {
  if (err instanceof DomainError) {
    process.stderr.write(`kaifang: ${err.message}\n`);
    process.exit(1);
  }
  const e = err as Error;
  process.stderr.write(`kaifang: ${e.name === 'ConfigError' ? 'configuration: ' : ''}${e.message}\n`);
  process.exit(1);
}

/** Parses an integer option, naming it when it is not one. */
export function intOption(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`${name} must be an integer, got "${value}"`);
    return n;
  };
}

/** A leaf command with the options every resource command has. */
export function leaf(parent: Command, nameAndArgs: string, description: string): Command {
  return parent
    .command(nameAndArgs)
    .description(description)
    .option('--json', 'print JSON (the same shapes as the admin API)')
    .option('--data-dir <dir>', 'data directory (KAIFANG_DATA_DIR)');
}

/**
 * An option parser for secrets: `-` reads the value from stdin, so a key or secret need not
 * appear in the shell history or `ps`. `what` names it in the error.
 */
export const secretValue =
  (what: string) =>
  (value: string): string => {
    if (value !== '-') return value;
    const line = (readFileSync(0, 'utf8').split(/\r?\n/)[0] ?? '').trim();
    if (line === '') throw new InvalidInput(what, `no ${what} on standard input`);
    return line;
  };
