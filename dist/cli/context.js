import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { loadConfig } from '../server/config.js';
import { createKaifang } from '../server/kaifang.js';
import { createLogger } from '../server/logger.js';
import { DomainError, InvalidInput } from '../core/errors.js';
export function configFrom(options) {
    return loadConfig(process.env, {
        ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
        ...(options.port !== undefined ? { port: options.port } : {}),
        ...(options.host !== undefined ? { host: options.host } : {}),
    });
}
/** Opens kaifang for one CLI command (logging only warnings, to stderr), runs it, closes. */
export async function withKaifang(options, run) {
    const config = configFrom(options);
    const k = await createKaifang(config, { logger: createLogger('warn', process.stderr) });
    try {
        return await run(k);
    }
    finally {
        await k.close();
    }
}
/** Prints a result as JSON (`--json`) or as the human text. */
export function output(json, data, human) {
    process.stdout.write(json ? JSON.stringify(data, null, 2) + '\n' : human() + '\n');
}
/** Turns a thrown error into one line on stderr and exit code 1 (2 for usage errors). */
export function fail(err) {
    if (err instanceof DomainError) {
        process.stderr.write(`kaifang: ${err.message}\n`);
        process.exit(1);
    }
    const e = err;
    process.stderr.write(`kaifang: ${e.name === 'ConfigError' ? 'configuration: ' : ''}${e.message}\n`);
    process.exit(1);
}
/** Parses an integer option, naming it when it is not one. */
export function intOption(name) {
    return (value) => {
        const n = Number(value);
        if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(n))
            throw new InvalidArgumentError(`${name} must be an integer, got "${value}"`);
        return n;
    };
}
/** A leaf command with the options every resource command has. */
export function leaf(parent, nameAndArgs, description) {
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
export const secretValue = (what) => (value) => {
    if (value !== '-')
        return value;
    const line = (readFileSync(0, 'utf8').split(/\r?\n/)[0] ?? '').trim();
    if (line === '')
        throw new InvalidInput(what, `no ${what} on standard input`);
    return line;
};
