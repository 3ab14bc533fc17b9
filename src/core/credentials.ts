import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../store/schema.ts';
import { KNOWN_ABSENT, TtlCache, type Cached } from './cache.ts';
import type { Clock } from '../kernel/clock.ts';
import { Conflict, Disabled, Expired, InvalidInput, NotFound } from '../kernel/errors.ts';
import { randomString } from '../kernel/random.ts';
import type { SecretBox } from '../kernel/secrets.ts';
import { containsAny, searchText } from './search.ts';
import { insertUnique } from './unique.ts';

/**
 * What kaifang accepts as a partner secret. Partners sign with these (MD5/SHA1 with the secret
 * appended), so they are kept in clear form only sealed under the master key, and shown once.
 */
export interface SecretPolicy {
  /** The field's name in the domain (and the admin API): `applicationSecret`, `key`, `secret`. */
  param: string;
  /** Length of a secret kaifang makes up itself; absent = the operator must always give one. */
  generatedLength?: number;
  /** Least length of a secret an operator sets (creation or rotation). */
  minLength: number;
  /**
   * Least length of an existing secret brought over unchanged from the original platform (an
   * import): the partner already signs with it, so it is taken as it is.
   */
  importMinLength: number;
  maxLength: number;
}

/** Rows of another table that hang off a credential by its row id (its grants, its records). */
export interface CredentialChild {
  table: string;
  /** The column holding the credential's row id. */
  column: string;
  /** How a refusal counts them ("notices"). */
  label: string;
  /**
   * Part of the credential itself (its grants): deleted with it always. Otherwise (records that
   * outlive a switch-off) the credential is deleted only with `cascade`, which deletes them too.
   */
  owned?: boolean;
}

/** A page of an admin list: `limit`, `offset` and `q`, a case-insensitive substring of the kind's names. */
export interface ListOptions {
  limit?: number;
  offset?: number;
  q?: string;
}

/** How one kind of credential is stored. `C` is its public shape, `CS` the same with the secret in clear. */
export interface CredentialSpec<TB extends keyof Database, C extends { id: number }, CS extends C> {
  table: TB;
  /** Column of the public id a caller presents (`application_key`, `agent_id`, `appid`, …). */
  idColumn: keyof Database[TB] & string;
  /** Column of the sealed secret. */
  secretColumn: keyof Database[TB] & string;
  /** The domain's name for it, as `NotFound.what` ('developerKey', 'agent', …). */
  what: string;
  /** How messages call it ("developer key", "agent"). */
  label: string;
  /** A presented id outside this pattern is unknown without a lookup. */
  idPattern?: RegExp;
  secret: SecretPolicy;
  fromRow(row: Selectable<Database[TB]>): C;
  withSecret(credential: C, secret: string): CS;
  enabled(credential: C): boolean;
  /** True when the credential is past its validity at `now`; never, when absent. */
  expired?(credential: C, now: number): boolean;
  /** The text columns an admin list's `q` searches; absent: the public id's. */
  searchColumns?: readonly (keyof Database[TB] & string)[];
  /** Rows that go with the credential when it is deleted (see CredentialChild). */
  children?: readonly CredentialChild[];
  /** The wire parameter that carries the id, named in `authenticate`'s refusals (`agent_id`); absent: the label. */
  wireParam?: string;
  /** The columns that switch it on or off; absent: `enabled` 1 / 0. `updated_at` is set either way. */
  enabledColumns?(enabled: boolean, now: number): Record<string, unknown>;
}

const PRINTABLE = /^[\x21-\x7e]*$/;

/** What a kind of credential is stored with (the core provides all of it). */
export interface CredentialDeps {
  readonly db: Kysely<Database>;
  readonly box: SecretBox;
  readonly clock: Clock;
  /** The per-process cache bound: a change made elsewhere is seen within `ttlMs`. */
  readonly cache: { size: number; ttlMs: number };
}

/**
 * The one implementation of a credential whose secret kaifang must read back in clear: validate
 * the secret, seal it with the master key, insert under a unique index (a duplicate id is
 * `Conflict`), look it up for signing through a per-process cache whose TTL is the documented bound
 * on how long a change made elsewhere takes to be seen, authenticate (`NotFound` / `Disabled` /
 * `Expired`), switch on and off, rotate. Each kind (developer keys, agents, WeChat apps, merchants'
 * apps …) extends it with a spec and its own field rules (`create`, `update`): what every kind does
 * alike is written here once and inherited, not forwarded.
 */
export class SealedCredentials<TB extends keyof Database, C extends { id: number }, CS extends C> {
  private readonly cache: TtlCache<CS>;
  // Kysely cannot follow a table chosen by a type parameter; the spec's columns are checked
  // against the table's type above, so the untyped queries stay inside this class.
  // biome-ignore lint/suspicious/noExplicitAny: the base serves every credential table, named at run time by its spec; the typed classes above it keep the types
  private readonly q: Kysely<any>;
  private readonly table: string;
  private readonly idColumn: string;
  private readonly box: SecretBox;
  protected readonly clock: Clock;

  constructor(
    deps: CredentialDeps,
    private readonly spec: CredentialSpec<TB, C, CS>,
  ) {
    // biome-ignore lint/suspicious/noExplicitAny: the base serves every credential table, named at run time by its spec; the typed classes above it keep the types
    this.q = deps.db as unknown as Kysely<any>;
    this.box = deps.box;
    this.clock = deps.clock;
    this.table = spec.table;
    this.idColumn = spec.idColumn;
    this.cache = new TtlCache(deps.cache.size, deps.cache.ttlMs);
  }

  /**
   * Checks a secret an operator gives: the policy's length and printable ASCII without spaces.
   * `imported` secrets come from the original platform and may be shorter; the result says whether
   * the secret is weaker than what kaifang itself would set, for the caller to warn about.
   */
  checkSecret(secret: string, imported = false): { warning: string | undefined } {
    const p = this.spec.secret;
    const min = imported ? p.importMinLength : p.minLength;
    if (typeof secret !== 'string' || secret.length < min || secret.length > p.maxLength || !PRINTABLE.test(secret)) {
      const what = imported ? 'an imported ' + p.param : p.param;
      throw new InvalidInput(p.param, `${what} must be ${min}–${p.maxLength} printable ASCII characters without spaces`);
    }
    if (secret.length >= p.minLength) return { warning: undefined };
    return {
      warning: `the imported ${p.param} is ${secret.length} characters long, weaker than the ${p.generatedLength ?? p.minLength} kaifang generates (${p.minLength} at least when an operator sets one): rotate it once the partner can switch`,
    };
  }

  /** The given secret, checked, or a new random one. */
  private secretFor(given: string | undefined, imported: boolean): { secret: string; warning: string | undefined } {
    if (given !== undefined) return { secret: given, ...this.checkSecret(given, imported) };
    const length = this.spec.secret.generatedLength;
    if (length === undefined) throw new InvalidInput(this.spec.secret.param, `${this.spec.secret.param} is required`);
    return { secret: randomString(length), warning: undefined };
  }

  /**
   * Inserts a credential with its secret sealed. `values` are the row's other columns; a
   * duplicate public id is `Conflict`. `imported` marks a secret brought over as it is; `warning`
   * says when it is weaker than what kaifang would set.
   */
  protected async insert(
    id: string,
    values: Record<string, unknown>,
    options: { secret?: string; imported?: boolean } = {},
  ): Promise<{ created: CS; warning: string | undefined }> {
    const { secret, warning } = this.secretFor(options.secret, options.imported ?? false);
    const row = await insertUnique(
      this.q
        .insertInto(this.table)
        .values({ ...values, [this.idColumn]: id, [this.spec.secretColumn]: this.box.seal(secret) })
        .returningAll()
        .executeTakeFirstOrThrow(),
      `${this.spec.label} ${id} already exists`,
    );
    this.cache.delete(id);
    return { created: this.spec.withSecret(this.spec.fromRow(row as Selectable<Database[TB]>), secret), warning };
  }

  /** A page of the kind, oldest first; with `q`, only those whose names contain it (see search.ts). */
  async list(options: ListOptions = {}): Promise<C[]> {
    const rows = await this.filtered(options.q)
      .selectAll()
      .orderBy('id')
      .limit(Math.min(options.limit ?? 100, 1000))
      .offset(options.offset ?? 0)
      .execute();
    return rows.map((r: unknown) => this.spec.fromRow(r as Selectable<Database[TB]>));
  }

  /** How many there are, with the same `q` as `list`. */
  async count(options: Pick<ListOptions, 'q'> = {}): Promise<number> {
    const row = await this.filtered(options.q)
      // biome-ignore lint/suspicious/noExplicitAny: the base serves every credential table, named at run time by its spec; the typed classes above it keep the types
      .select((eb: any) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    return Number((row as { n: unknown }).n);
  }

  private filtered(q: string | undefined) {
    const text = searchText(q);
    const query = this.q.selectFrom(this.table);
    return text === undefined ? query : query.where(containsAny(this.spec.searchColumns ?? [this.idColumn], text));
  }

  /**
   * Deletes the credential and, in the same transaction, its children (CredentialChild): owned
   * ones always; the others only with `cascade`, else Conflict counting them. Other processes stop
   * accepting it within the cache's TTL, as for a switch-off. Returns how many of each went with it.
   */
  async remove(id: string, options: { cascade?: boolean } = {}): Promise<Record<string, number>> {
    const deleted: Record<string, number> = {};
    await this.q.transaction().execute(async (trx) => {
      const row = await trx.selectFrom(this.table).select('id').where(this.idColumn, '=', id).executeTakeFirst();
      if (!row) throw this.notFound(id);
      const ref = (row as { id: unknown }).id;
      for (const child of this.spec.children ?? []) {
        if (!child.owned && !options.cascade) {
          const n = await trx
            .selectFrom(child.table)
            // biome-ignore lint/suspicious/noExplicitAny: see the class's `q`
            .select((eb: any) => eb.fn.countAll().as('n'))
            .where(child.column, '=', ref)
            .executeTakeFirstOrThrow();
          if (Number((n as { n: unknown }).n) > 0)
            throw new Conflict(
              `${this.spec.label} ${id} has ${Number((n as { n: unknown }).n)} ${child.label}: delete with cascade=true to delete them too`,
            );
        }
      }
      for (const child of this.spec.children ?? []) {
        const result = await trx.deleteFrom(child.table).where(child.column, '=', ref).executeTakeFirst();
        deleted[child.label] = Number(result.numDeletedRows);
      }
      await trx.deleteFrom(this.table).where('id', '=', ref).execute();
    });
    this.cache.delete(id);
    return deleted;
  }

  async get(id: string): Promise<C> {
    const row = await this.row(id);
    if (!row) throw this.notFound(id);
    return this.spec.fromRow(row);
  }

  /**
   * What `findForSigning` would give, when this process has it cached (`value` undefined: known
   * not to exist); undefined when it has to be read.
   */
  cachedForSigning(id: string): Cached<CS> | undefined {
    if (this.spec.idPattern && !this.spec.idPattern.test(id)) return KNOWN_ABSENT;
    return this.cache.peek(id);
  }

  /** The credential with its secret in clear, for verifying a call; undefined when unknown. Cached (see the class). */
  findForSigning(id: string): Promise<CS | undefined> {
    if (this.spec.idPattern && !this.spec.idPattern.test(id)) return Promise.resolve(undefined);
    return this.cache.get(id, async () => {
      const row = await this.row(id);
      if (!row) return undefined;
      const sealed = (row as Record<string, unknown>)[this.spec.secretColumn] as string;
      return this.spec.withSecret(this.spec.fromRow(row), this.box.open(sealed));
    });
  }

  /**
   * The credential a caller presents, when it may be used now: else NotFound, Disabled or Expired.
   * `param` is the wire parameter that carried the id, to name it in the message.
   */
  async authenticate(id: string, param = this.spec.wireParam): Promise<CS> {
    const found = await this.findForSigning(id);
    const { label } = this.spec;
    const named = param === undefined ? `${label} ${id}` : `${param} ${JSON.stringify(id.slice(0, 64))}`;
    if (!found) throw param === undefined ? this.notFound(id) : new NotFound(this.spec.what, `${named} is not a known ${label}`);
    if (!this.spec.enabled(found)) throw new Disabled(`${named} is disabled`);
    if (this.spec.expired?.(found, this.clock.now())) throw new Expired(`${named} has expired`);
    return found;
  }

  /** Switches the credential on or off; effective on every process within the cache's TTL. */
  setEnabled(id: string, enabled: boolean): Promise<C> {
    const now = this.clock.now();
    return this.updateColumns(id, { ...(this.spec.enabledColumns?.(enabled, now) ?? { enabled: enabled ? 1 : 0 }), updated_at: now });
  }

  /** Replaces the secret (the given one, checked, or a new random one); the new one is returned once. */
  async rotateSecret(id: string, newSecret?: string): Promise<CS> {
    const { secret } = this.secretFor(newSecret, false);
    const credential = await this.updateColumns(id, { [this.spec.secretColumn]: this.box.seal(secret), updated_at: this.clock.now() });
    return this.spec.withSecret(credential, secret);
  }

  /** Changes columns of the credential (never its secret: see `rotateSecret`). */
  protected async updateColumns(id: string, set: Record<string, unknown>): Promise<C> {
    const row = await this.q.updateTable(this.table).set(set).where(this.idColumn, '=', id).returningAll().executeTakeFirst();
    this.cache.delete(id);
    if (!row) throw this.notFound(id);
    return this.spec.fromRow(row as Selectable<Database[TB]>);
  }

  /** Forgets every cached lookup in this process (after a change the cache key does not name). */
  forget(id?: string): void {
    if (id === undefined) this.cache.clear();
    else this.cache.delete(id);
  }

  private async row(id: string): Promise<Selectable<Database[TB]> | undefined> {
    const row = await this.q.selectFrom(this.table).selectAll().where(this.idColumn, '=', id).executeTakeFirst();
    return row as Selectable<Database[TB]> | undefined;
  }

  private notFound(id: string): NotFound {
    return new NotFound(this.spec.what, `no ${this.spec.label} ${id}`);
  }
}
