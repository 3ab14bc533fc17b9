import { chmodSync, closeSync, existsSync, fsyncSync, linkSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { ensureDirectory } from '../kernel/files.ts';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { randomString } from '../kernel/random.ts';
import { ConfigError } from '../kernel/settings.ts';
import type { Config } from './config.ts';

export interface Bootstrap {
  masterKey: Buffer;
  /** Where the master key came from: the setting, or the file that holds it. */
  masterKeySource: string;
  adminToken: string;
  adminTokenSource: string;
  /** True when this start created the key or token files. */
  created: string[];
}

/** Parses a 32-byte key written as 64 hex characters or as base64. */
export function parseMasterKey(text: string, setting: string): Buffer {
  const t = text.trim();
  // Buffer.from(…, 'base64') skips characters it does not know; only accept real base64(url).
  const key = /^[0-9a-fA-F]{64}$/.test(t)
    ? Buffer.from(t, 'hex')
    : /^[A-Za-z0-9+/_-]+={0,2}$/.test(t)
      ? Buffer.from(t, 'base64')
      : Buffer.alloc(0);
  if (key.length !== 32) throw new ConfigError(setting, 'must be 32 bytes as 64 hex characters or base64');
  return key;
}

/**
 * Reads `path`, or creates it (mode 0600) when missing. Several processes may start on one fresh
 * data directory at once: the content is written and synced to a private temporary file first and
 * then linked into place, which is atomic and fails if another process got there first, so no
 * process ever reads a half-written file or fails on the other's file; all end up with the same value.
 */
function readOrCreate(path: string, make: () => string, created: string[]): string {
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, make() + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    chmodSync(tmp, 0o600);
    linkSync(tmp, path);
    created.push(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(tmp);
  }
  return readFileSync(path, 'utf8').trim();
}

/** The least length of an admin token, however it is given. */
const ADMIN_TOKEN_MIN = 16;

/**
 * The master key and the admin token: from the settings, or files in the data directory. A key
 * file is made only for a store that holds nothing sealed yet (`storeIsNew`): for one that does, a
 * missing key file is an error, not a reason to make a new key that cannot open anything.
 */
export function loadBootstrap(config: Config, options: { storeIsNew: boolean; storeName: string; create?: boolean }): Bootstrap {
  const created: string[] = [];
  // The operator commands create nothing (`create: false`): only `serve` and `migrate` make files.
  const create = options.create ?? true;
  if (create) ensureDirectory(config.dataDir, 0o700);
  let masterKey: Buffer;
  let masterKeySource: string;
  if (config.masterKey) {
    masterKey = parseMasterKey(config.masterKey, 'KAIFANG_MASTER_KEY');
    masterKeySource = 'KAIFANG_MASTER_KEY';
  } else {
    masterKeySource = join(config.dataDir, 'master.key');
    if (!create && !existsSync(masterKeySource) && options.storeIsNew) {
      throw new ConfigError(
        masterKeySource,
        'is missing and this command makes no files: `kaifang migrate` or `kaifang serve` makes the master key of a new store (or set KAIFANG_MASTER_KEY)',
      );
    }
    if (!options.storeIsNew && !existsSync(masterKeySource)) {
      throw new ConfigError(
        masterKeySource,
        `is missing, but the store ${options.storeName} holds secrets sealed with a master key: restore that key file (or set KAIFANG_MASTER_KEY to the key); a new key is made only for an empty store`,
      );
    }
    masterKey = parseMasterKey(
      readOrCreate(masterKeySource, () => randomBytes(32).toString('hex'), created),
      masterKeySource,
    );
  }
  let adminToken: string;
  let adminTokenSource: string;
  if (config.adminToken) {
    adminToken = config.adminToken;
    adminTokenSource = 'KAIFANG_ADMIN_TOKEN';
  } else {
    adminTokenSource = join(config.dataDir, 'admin.token');
    if (create) adminToken = readOrCreate(adminTokenSource, () => randomString(40), created);
    else if (existsSync(adminTokenSource)) adminToken = readFileSync(adminTokenSource, 'utf8').trim();
    else {
      // An operator command serves no admin API: a token nobody knows, never written.
      adminToken = randomString(40);
      adminTokenSource = '(none: this command serves no admin API)';
    }
  }
  // The same rule for the setting and the file: a short token can be guessed.
  if (adminToken.length < ADMIN_TOKEN_MIN)
    throw new ConfigError(adminTokenSource, `must be at least ${ADMIN_TOKEN_MIN} characters (it has ${adminToken.length})`);
  return { masterKey, masterKeySource, adminToken, adminTokenSource, created };
}

/** Reads a key file, or undefined when it is missing or unreadable as a key. */
function keyFile(path: string): Buffer | undefined {
  try {
    return parseMasterKey(readFileSync(path, 'utf8'), path);
  } catch {
    return undefined;
  }
}

/**
 * Every master key this process can find now, the one in use first: KAIFANG_MASTER_KEY or
 * data-dir/master.key, then a rotation's others — KAIFANG_MASTER_KEY_PREVIOUS, master.key.new (a
 * rotation that stopped between its commit and its renames) and master.key.old (the key a
 * rotation replaced, kept until `kaifang keys rotate-master --confirm`). Read again when a sealed
 * value opens with none of the keys held (another process rotated).
 */
export function masterKeyRing(config: Config): Buffer[] {
  const ring: (Buffer | undefined)[] = [];
  const file = join(config.dataDir, 'master.key');
  if (config.masterKey) ring.push(parseMasterKey(config.masterKey, 'KAIFANG_MASTER_KEY'));
  else ring.push(keyFile(file));
  if (config.masterKeyPrevious) ring.push(parseMasterKey(config.masterKeyPrevious, 'KAIFANG_MASTER_KEY_PREVIOUS'));
  if (!config.masterKey) ring.push(keyFile(`${file}.new`), keyFile(`${file}.old`));
  return ring.filter((k): k is Buffer => k !== undefined);
}
