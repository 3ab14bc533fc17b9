import { InvalidArgumentError, type Command } from 'commander';
import { DomainError, InvalidInput } from '../core/errors.ts';
import type { Front } from '../fronts/kit/front.ts';
import { flagOf, type CliOptions, type CliRunner } from '../fronts/kit/cli.ts';
import { loadConfig, type Config } from '../server/config.ts';
import { createKaifang, type Kaifang } from '../server/kaifang.ts';
import { createLogger } from '../server/logger.ts';

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

/** Turns a thrown error into one line on stderr and exit code 1. */
export function fail(err: unknown): never {
  const e = err as Error;
  const prefix = err instanceof DomainError ? '' : e.name === 'ConfigError' ? 'configuration: ' : '';
  process.stderr.write(`kaifang: ${prefix}${e.message}\n`);
  process.exit(1);
}

/** The runner a front's CLI commands get: its own services, one line on failure, naming the option at fault. */
export function runnerFor<S>(front: Front<string, S>): CliRunner<S> {
  return async (command: Command, options: CliOptions, body: (services: S) => Promise<void>) => {
    try {
      await withKaifang(options, (k) => body((k.fronts as unknown as Record<string, S>)[front.name]!));
    } catch (err) {
      const flag = err instanceof InvalidInput ? flagOf(command, err.param) : undefined;
      fail(flag && err instanceof InvalidInput ? new InvalidInput(err.param, `${err.message} (${flag})`) : err);
    }
  };
}

/** Parses an integer option, naming it when it is not one. */
export function intOption(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`${name} must be an integer, got "${value}"`);
    return n;
  };
}
