import { parseDateTime } from '../../../kernel/cst.ts';
import { InvalidInput } from '../../../kernel/errors.ts';
import type { DeveloperKeyChanges, NewDeveloperKey } from '../domain/developerKeys.ts';
import { BUILT_IN_METHODS, type GatewayMethodChanges, type NewGatewayMethod } from '../domain/gatewayMethods.ts';
import type { ListOptions } from '../../../core/credentials.ts';
import { listReply } from '../../kit/lists.ts';
import { keyView, methodView, type GrantsView, type KeyView } from '../present.ts';
import type { OpretailServices } from '../services.ts';

/**
 * What an operator does with the Opretail front, shared by the admin API and the CLI so both take
 * the same input (times as CST text) and show the same output (present.ts). No HTTP, no terminal here.
 */

/** `"yyyy-MM-dd HH:mm:ss"` CST → ms; null stays null ("never"); absent stays absent. */
/** A time an operator gives: ISO 8601 with a zone, or the seed's China Standard Time text. */
export function parseCstTime(value: string | null | undefined, param: string): number | null | undefined {
  if (value === undefined || value === null) return value;
  const text = value.trim();
  const ms = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,3})?)?(Z|[+-]\d\d:\d\d)$/.test(text) ? Date.parse(text) : parseDateTime(text);
  if (ms === null || !Number.isFinite(ms)) {
    throw new InvalidInput(
      param,
      `${param} must be an ISO 8601 time with a zone ("2027-12-31T00:00:00+08:00") or China Standard Time "yyyy-MM-dd HH:mm:ss" ("2027-12-31 00:00:00"); got "${value.slice(0, 40)}"`,
    );
  }
  return ms;
}

export type KeyInput = Omit<NewDeveloperKey, 'expire'> & { expire?: string | null };
export type KeyChangesInput = Omit<DeveloperKeyChanges, 'expire'> & { expire?: string | null };

function withExpire<T extends { expire?: string | null }>(input: T): Omit<T, 'expire'> & { expire?: number | null } {
  const { expire, ...rest } = input;
  const ms = parseCstTime(expire, 'expire');
  return ms === undefined ? rest : { ...rest, expire: ms };
}

export function opretailOperations(s: OpretailServices) {
  const { keys, methods } = s;
  const now = () => s.clock.now();

  async function grantsOf(applicationKey: string): Promise<GrantsView> {
    const key = await keys.get(applicationKey);
    return { applicationKey, allMethods: key.developerType === 1, grants: (await methods.grantsOf(key.id)).map(methodView) };
  }

  /** The key and the registered method a grant names; built-in methods need no grant. */
  async function grantTarget(applicationKey: string, name: string, version: string) {
    if (BUILT_IN_METHODS.has(name))
      throw new InvalidInput('name', `${name} is built in and open to every key; it cannot be granted or revoked`);
    const key = await keys.get(applicationKey);
    return { key, method: await methods.get(name, version) };
  }

  return {
    async listKeys(page: ListOptions = {}) {
      const [list, total] = await Promise.all([keys.list(page), keys.count(page)]);
      const at = now();
      return listReply(
        'keys',
        list.map((key) => keyView(key, at)),
        total,
        page,
      );
    },
    /**
     * Creates (or, with applicationKey/applicationSecret, imports) a key; the reply carries the
     * secret, and `warnings` (e.g. an imported secret weaker than kaifang's own).
     */
    async createKey(input: KeyInput): Promise<KeyView & { warnings?: string[] }> {
      const created = await keys.create(withExpire(input));
      return { ...keyView(created, now(), true), ...(created.warning ? { warnings: [created.warning] } : {}) };
    },
    async showKey(applicationKey: string): Promise<KeyView> {
      return keyView(await keys.get(applicationKey), now());
    },
    async updateKey(applicationKey: string, changes: KeyChangesInput): Promise<KeyView> {
      return keyView(await keys.update(applicationKey, withExpire(changes)), now());
    },
    async setKeyEnabled(applicationKey: string, enabled: boolean): Promise<KeyView> {
      return keyView(await keys.setEnabled(applicationKey, enabled), now());
    },
    /** `at` absent = now, null = never expires. */
    async expireKey(applicationKey: string, at?: string | null): Promise<KeyView> {
      const ms = parseCstTime(at, 'at');
      const key = ms === undefined ? await keys.expire(applicationKey) : await keys.expire(applicationKey, ms);
      return keyView(key, now());
    },
    /** A new secret kaifang makes up (or, deprecated, the given one), shown once as `secret`. */
    async rotateSecret(applicationKey: string, applicationSecret?: string): Promise<KeyView> {
      return keyView(await keys.rotateSecret(applicationKey, applicationSecret), now(), true);
    },
    /** The secret the operator supplies (checked as on import-less creation), shown back once. */
    async setSecret(applicationKey: string, secret: string): Promise<KeyView> {
      return keyView(await keys.rotateSecret(applicationKey, secret), now(), true);
    },
    /** Deletes the key with its grants, in one transaction. */
    async deleteKey(applicationKey: string) {
      const removed = await keys.remove(applicationKey);
      return { applicationKey, deleted: true, grants: removed.grants ?? 0 };
    },
    grantsOf,
    async grant(applicationKey: string, name: string, version: string): Promise<GrantsView> {
      const { key, method } = await grantTarget(applicationKey, name, version);
      await methods.grant(key.id, method);
      return grantsOf(applicationKey);
    },
    async revoke(applicationKey: string, name: string, version: string): Promise<GrantsView> {
      const { key, method } = await grantTarget(applicationKey, name, version);
      await methods.revoke(key.id, method);
      return grantsOf(applicationKey);
    },

    listMethods: async (page: ListOptions = {}) => {
      const [list, total] = await Promise.all([methods.list({ limit: 100, ...page }), methods.count(page)]);
      return listReply('methods', list.map(methodView), total, page);
    },
    createMethod: async (input: NewGatewayMethod) => methodView(await methods.create(input)),
    showMethod: async (name: string, version: string) => methodView(await methods.get(name, version)),
    updateMethod: async (name: string, version: string, changes: GatewayMethodChanges) =>
      methodView(await methods.update(name, version, changes)),
    setMethodEnabled: async (name: string, version: string, enabled: boolean) =>
      methodView(await methods.setEnabled(name, version, enabled)),
  };
}
export type OpretailOperations = ReturnType<typeof opretailOperations>;
