/**
 * The vocabulary of kaifang's settings: a setting is an environment variable with a default, a
 * parser that names the variable when the value is bad, and a line of documentation. The platform
 * (server/config.ts) and each front (fronts/<name>/settings.ts) declare tables of them; the
 * server reads them all at start-up. Nothing here reads the environment.
 */

export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(`${setting}: ${message}`);
    this.name = 'ConfigError';
  }
}

export type Parse<T> = (raw: string, name: string) => T;

export interface Setting<T> {
  env: string;
  doc: string;
  default: T;
  parse: Parse<T>;
}

// biome-ignore lint/suspicious/noExplicitAny: a table holds settings of every value type; SettingsValues<T> gives each its own type back
export type SettingsTable = Record<string, Setting<any>>;

/** The values a table of settings reads to, under the table's own property names. */
export type SettingsValues<T extends SettingsTable> = { readonly [K in keyof T]: T[K]['default'] };

export function setting<T>(env: string, def: T, parse: Parse<T>, doc: string): Setting<T> {
  return { env, default: def, parse, doc };
}

export const integer =
  (min: number, max: number): Parse<number> =>
  (raw, name) => {
    const n = Number(raw);
    if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new ConfigError(name, `must be an integer from ${min} to ${max}, got "${raw}"`);
    }
    return n;
  };

export const oneOf =
  <T extends string>(...values: T[]): Parse<T> =>
  (raw, name) => {
    const v = raw.trim().toLowerCase() as T;
    if (!values.includes(v)) throw new ConfigError(name, `must be one of ${values.join(', ')}, got "${raw}"`);
    return v;
  };

export const text: Parse<string> = (raw) => raw;

export const optionalText: Parse<string | undefined> = (raw) => (raw === '' ? undefined : raw);

export const optionalUrl =
  (...protocols: string[]): Parse<string | undefined> =>
  (raw, name) => {
    if (raw === '') return undefined;
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new ConfigError(name, `is not a URL: "${redactUrl(raw)}"`);
    }
    if (!protocols.includes(url.protocol)) {
      throw new ConfigError(name, `must use ${protocols.join(' or ')}, got "${url.protocol}"`);
    }
    return raw;
  };

/** `host:port` (`[::1]:9090` for IPv6), or unset; the value stays as written. */
export const optionalHostPort: Parse<string | undefined> = (raw, name) => {
  if (raw === '') return undefined;
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(raw.trim());
  if (!m || Number(m[2]) > 65_535) throw new ConfigError(name, `must be host:port, e.g. 127.0.0.1:9090, got "${raw}"`);
  return raw.trim();
};

/** The host and port of a `host:port` setting (brackets of an IPv6 address removed). */
export function splitHostPort(value: string): { host: string; port: number } {
  const colon = value.lastIndexOf(':');
  return { host: value.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(value.slice(colon + 1)) };
}

export const boolean: Parse<boolean> = (raw, name) => {
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
};

export const dottedVersion: Parse<string> = (raw, name) => {
  const v = raw.trim();
  if (!/^\d{1,9}(\.\d{1,9}){0,7}$/.test(v)) throw new ConfigError(name, `must be a dotted version like 1.0, got "${raw}"`);
  return v;
};

/** Hides the password of a connection URL before it is printed. */
export function redactUrl(raw: string): string {
  return raw.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
}
