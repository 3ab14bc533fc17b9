import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { recordedKeyId } from '../core/masterKeyCheck.ts';
import { resealPostgres, resealSqlite, type Resealed } from '../core/masterKeyRotation.ts';
import { output } from '../fronts/kit/cli.ts';
import { keyFingerprint, SecretBox } from '../kernel/secrets.ts';
import { parseMasterKey } from '../server/bootstrap.ts';
import { migrations } from '../server/storeLayout.ts';
import { openStore, pendingMigrations } from '../store/database.ts';
import { configFrom, fail, requireStore } from './context.ts';

interface RotateOptions {
  confirm?: boolean;
  dataDir?: string;
  json?: boolean;
}

/**
 * `kaifang keys rotate-master`: every sealed secret of the store re-sealed under a new master key
 * in one transaction, with servers running.
 *
 * With the key in `data-dir/master.key`: a new key is made (written to master.key.new first), the
 * store re-sealed and the fingerprint of the new key recorded, then master.key becomes
 * master.key.old and master.key.new becomes master.key. Running processes take the new key up
 * within KAIFANG_CACHE_TTL_MS (they watch the recorded fingerprint and re-read the key files, and
 * a value that their keys do not open makes them re-read at once); the old key still opens what
 * they sealed in the meantime. `--confirm` re-seals those stragglers and deletes master.key.old.
 *
 * With KAIFANG_MASTER_KEY: processes cannot re-read an environment, so they are restarted first
 * with KAIFANG_MASTER_KEY=<new> and KAIFANG_MASTER_KEY_PREVIOUS=<old> (they go on sealing with the
 * old key, which the store names, and open with both); this command, with the same two settings,
 * re-seals under the new one, and the processes switch to it by the recorded fingerprint.
 * `--confirm` re-seals stragglers; then KAIFANG_MASTER_KEY_PREVIOUS can go.
 */
export function keysCommand(program: Command): void {
  const keys = program.command('keys').description("the store's master key");
  keys
    .command('rotate-master')
    .description('re-seal every secret of the store under a new master key, in one transaction, with servers running')
    .option('--confirm', 'finish a rotation: re-seal what was sealed with the old key meanwhile, then forget the old key (master.key.old)')
    .option('--data-dir <dir>', 'data directory (KAIFANG_DATA_DIR)')
    .option('--json', 'print JSON')
    .action(async (options: RotateOptions) => {
      try {
        await rotate(options);
      } catch (err) {
        fail(err);
      }
    });
}

/** Writes a key file (mode 0600, synced); refuses to replace one. */
function writeKeyFile(path: string, key: Buffer): void {
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeSync(fd, `${key.toString('hex')}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

async function rotate(options: RotateOptions): Promise<void> {
  const config = configFrom(options);
  await requireStore(config);
  const keyFile = resolve(config.dataDir, 'master.key');
  const fromEnv = config.masterKey !== undefined;
  const store = await openStore(config);
  try {
    const pending = await pendingMigrations(store.db, migrations, config.databaseUrl ? config.databaseSchema : undefined);
    if (pending.length > 0) throw new Error('the store is older than this build: run `kaifang migrate` first');
    const storeKey = await recordedKeyId(store.db);
    let from: Buffer;
    let to: Buffer;
    let files: { old: string; next: string } | undefined;
    if (fromEnv) {
      to = parseMasterKey(config.masterKey!, 'KAIFANG_MASTER_KEY');
      if (!config.masterKeyPrevious)
        throw new Error(
          'with KAIFANG_MASTER_KEY, rotate in three steps: restart every process with KAIFANG_MASTER_KEY=<new key> and KAIFANG_MASTER_KEY_PREVIOUS=<current key>; run this command with the same two settings; then `kaifang keys rotate-master --confirm` and drop KAIFANG_MASTER_KEY_PREVIOUS',
        );
      from = parseMasterKey(config.masterKeyPrevious, 'KAIFANG_MASTER_KEY_PREVIOUS');
    } else {
      if (!existsSync(keyFile)) throw new Error(`${keyFile} is missing: restore the store's master key first`);
      const current = parseMasterKey(readFileSync(keyFile, 'utf8'), keyFile);
      files = { old: `${keyFile}.old`, next: `${keyFile}.new` };
      if (options.confirm) {
        if (!existsSync(files.old)) throw new Error(`no rotation to confirm: ${files.old} does not exist`);
        from = parseMasterKey(readFileSync(files.old, 'utf8'), files.old);
        to = current;
      } else {
        if (existsSync(files.old))
          throw new Error(`a rotation waits for confirmation (${files.old} is there): run \`kaifang keys rotate-master --confirm\` first`);
        from = current;
        to = randomBytes(32);
        rmSync(files.next, { force: true });
        writeKeyFile(files.next, to);
      }
    }
    if (!options.confirm && storeKey === keyFingerprint(to))
      throw new Error('the store is sealed with the new key already: run `kaifang keys rotate-master --confirm` to finish');
    let done: Resealed;
    try {
      done = store.sqlite
        ? resealSqlite(store.sqlite, new SecretBox(from), new SecretBox(to))
        : await resealPostgres(store.db, new SecretBox(from), new SecretBox(to));
    } catch (err) {
      if (files && !options.confirm) rmSync(files.next, { force: true });
      throw err;
    }
    if (files && !options.confirm) {
      // Committed: master.key becomes the old key (kept until --confirm), the new one takes its name.
      linkSync(keyFile, files.old);
      renameSync(files.next, keyFile);
    }
    if (files && options.confirm) rmSync(files.old);
    const result = {
      step: options.confirm ? 'confirmed' : 'rotated',
      key: fromEnv ? 'KAIFANG_MASTER_KEY' : keyFile,
      fingerprint: keyFingerprint(to),
      previousFingerprint: keyFingerprint(from),
      columns: done.columns.map((c) => `${c.table}.${c.column}`),
      resealed: done.resealed,
      alreadyNew: done.alreadyNew,
      next: options.confirm
        ? fromEnv
          ? 'remove KAIFANG_MASTER_KEY_PREVIOUS from every process (at their next restart)'
          : `${files!.old} is deleted: the old key opens nothing any more; backups made before the rotation need it`
        : fromEnv
          ? 'running processes seal with the new key within KAIFANG_CACHE_TTL_MS; then run `kaifang keys rotate-master --confirm` with the same settings'
          : `running processes take up the new key within KAIFANG_CACHE_TTL_MS (they re-read ${keyFile}); the old key is kept in ${join(
              config.dataDir,
              'master.key.old',
            )} until \`kaifang keys rotate-master --confirm\`. Put the new key in your secret store; backups made before now need the old one`,
    };
    output(options.json, result, () =>
      [
        `${result.step}: ${result.resealed} sealed values re-sealed under the key ${result.fingerprint} (was ${result.previousFingerprint}) in ${result.columns.length} columns (${result.columns.join(', ')}); ${result.alreadyNew} were already`,
        `next: ${result.next}`,
      ].join('\n'),
    );
  } finally {
    await store.close();
  }
}
