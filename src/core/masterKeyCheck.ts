import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import type { SecretBox } from '../kernel/secrets.ts';

const CHECK_NAME = 'master_key_check';
const CHECK_TEXT = 'kaifang master key check';

/**
 * Where stores made before the check row existed keep sealed values: one of them, opened, proves
 * the key the same way. (A store made since has the check row from its first start.)
 */
const LEGACY_SEALED: [table: 'opretail_developer_keys' | 'storepos_agents' | 'wechat_miniapps', column: string][] = [
  ['opretail_developer_keys', 'application_secret_sealed'],
  ['storepos_agents', 'key_sealed'],
  ['wechat_miniapps', 'secret_sealed'],
];

/** A sealed value of the store that only the right master key opens, or undefined for a store with none (a new one). */
export async function sealedSample(db: Kysely<Database>): Promise<string | undefined> {
  const check = await db.selectFrom('platform_meta').select('value').where('name', '=', CHECK_NAME).executeTakeFirst();
  if (check) return check.value;
  // biome-ignore lint/suspicious/noExplicitAny: platform_meta is read before the fronts' tables are known; one untyped query
  const q = db as unknown as Kysely<any>;
  for (const [table, column] of LEGACY_SEALED) {
    const row = (await q.selectFrom(table).select(column).limit(1).executeTakeFirst()) as Record<string, string> | undefined;
    if (row) return row[column];
  }
  return undefined;
}

const KEY_ID_NAME = 'master_key_id';

/** The fingerprint of the master key the store's secrets are sealed with, as the store records it. */
export async function recordedKeyId(db: Kysely<Database>): Promise<string | undefined> {
  const row = await db.selectFrom('platform_meta').select('value').where('name', '=', KEY_ID_NAME).executeTakeFirst();
  return row?.value;
}

/** Records the fingerprint of the key the store is now sealed with (a rotation's commit, or a first start). */
export async function recordKeyId(db: Kysely<Database>, id: string, onlyIfAbsent = false): Promise<void> {
  await db
    .insertInto('platform_meta')
    .values({ name: KEY_ID_NAME, value: id })
    .onConflict((oc) => (onlyIfAbsent ? oc.column('name').doNothing() : oc.column('name').doUpdateSet({ value: id })))
    .execute();
}

/** True when `box` (the master key in use) opens `sample`. */
export function opens(box: SecretBox, sample: string): boolean {
  try {
    box.open(sample);
    return true;
  } catch {
    return false;
  }
}

/**
 * Records which master key this store belongs to (once: the first process to start writes it),
 * so a later start with another key is refused before it serves anything.
 */
export async function recordMasterKey(db: Kysely<Database>, box: SecretBox): Promise<void> {
  await db
    .insertInto('platform_meta')
    .values({ name: CHECK_NAME, value: box.seal(CHECK_TEXT) })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  await recordKeyId(db, box.fingerprint, true);
}

/** The check row's name and text (a rotation re-seals it with the rest). */
export const MASTER_KEY_CHECK = { name: CHECK_NAME, text: CHECK_TEXT } as const;
