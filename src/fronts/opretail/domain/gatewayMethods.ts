import type { Kysely, Selectable } from 'kysely';
import type { Clock } from '../../../kernel/clock.ts';
import { NotFound } from '../../../kernel/errors.ts';
import { check, checkInteger, checkText, LIMITS } from '../../../kernel/validation.ts';
import { TtlCache } from '../../../core/cache.ts';
import type { Database } from '../../../store/schema.ts';
import type { OpretailMethodTable } from '../tables.ts';
import { insertUnique } from '../../../core/unique.ts';
import type { ListOptions } from '../../../core/credentials.ts';
import { containsAny, searchText } from '../../../core/search.ts';

/** An operator-registered gateway method: `_mt` + `_version` forwarded to an HTTP service. */
export interface GatewayMethod {
  id: number;
  name: string;
  version: string;
  url: string;
  /** Where test keys and `environment: test|dev` calls go, when set. */
  testUrl: string | null;
  /** Own timeout; null = the deployment's upstream timeout. */
  timeoutMs: number | null;
  enabled: boolean;
  ratePerSecond: number | null;
  ratePerDay: number | null;
  description: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface NewGatewayMethod {
  name: string;
  version: string;
  url: string;
  testUrl?: string | null;
  timeoutMs?: number | null;
  ratePerSecond?: number | null;
  ratePerDay?: number | null;
  description?: string | null;
}

export type GatewayMethodChanges = Partial<Omit<NewGatewayMethod, 'name' | 'version'>>;

/** Names of the built-in methods; an operator cannot register over them. */
export const BUILT_IN_METHODS = new Set(['open.gateway.authentication']);

type Row = Selectable<OpretailMethodTable>;

function fromRow(row: Row): GatewayMethod {
  return {
    id: Number(row.id),
    name: row.name,
    version: row.version,
    url: row.url,
    testUrl: row.test_url,
    timeoutMs: row.timeout_ms,
    enabled: row.enabled === 1,
    ratePerSecond: row.rate_per_second,
    ratePerDay: row.rate_per_day,
    description: row.description,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

function checkUrl(param: string, value: string): void {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    /* named below */
  }
  check(param, url !== undefined, `${param} must be an absolute http(s) URL`);
  check(param, url!.protocol === 'http:' || url!.protocol === 'https:', `${param} must be an http or https URL`);
}

const NAME = /^[A-Za-z0-9_.-]{1,100}$/;

function validate(input: GatewayMethodChanges & { name?: string; version?: string }): void {
  if (input.name !== undefined) {
    check('name', NAME.test(input.name), 'name must be 1–100 letters, digits, ".", "_" or "-"');
    check('name', !BUILT_IN_METHODS.has(input.name), `${input.name} is built in and cannot be registered`);
  }
  if (input.version !== undefined) check('version', NAME.test(input.version), 'version must be 1–100 letters, digits, ".", "_" or "-"');
  if (input.url !== undefined) checkUrl('url', input.url);
  if (input.testUrl != null) checkUrl('testUrl', input.testUrl);
  for (const p of ['timeoutMs', 'ratePerSecond', 'ratePerDay'] as const) {
    const v = input[p];
    if (v != null) checkInteger(p, v, 1, LIMITS[p]);
  }
  if (input.description != null) checkText('description', input.description, 1000);
}

/** The operator's method table and the grants of keys to methods. */
export class GatewayMethods {
  private readonly routes: TtlCache<GatewayMethod>;
  private readonly grants: TtlCache<{ granted: boolean }>;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    cache: { size: number; ttlMs: number },
  ) {
    this.routes = new TtlCache(cache.size, cache.ttlMs);
    this.grants = new TtlCache(cache.size, cache.ttlMs);
  }

  async create(input: NewGatewayMethod): Promise<GatewayMethod> {
    validate(input);
    const now = this.clock.now();
    const row = await insertUnique(
      this.db
        .insertInto('opretail_methods')
        .values({
          name: input.name,
          version: input.version,
          url: input.url,
          test_url: input.testUrl ?? null,
          timeout_ms: input.timeoutMs ?? null,
          enabled: 1,
          rate_per_second: input.ratePerSecond ?? null,
          rate_per_day: input.ratePerDay ?? null,
          description: input.description ?? null,
          created_at: now,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow(),
      `method ${input.name} ${input.version} is already registered`,
    );
    this.routes.delete(routeKey(input.name, input.version));
    return fromRow(row);
  }

  /** The registered methods by name and version; with `q`, those whose name or URL contains it. */
  async list(options: ListOptions = {}): Promise<GatewayMethod[]> {
    const rows = await this.matching(options.q)
      .selectAll()
      .orderBy('name')
      .orderBy('version')
      .limit(options.limit ?? 1000)
      .offset(options.offset ?? 0)
      .execute();
    return rows.map(fromRow);
  }

  async count(options: Pick<ListOptions, 'q'> = {}): Promise<number> {
    const row = await this.matching(options.q)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  private matching(q: string | undefined) {
    const text = searchText(q);
    const query = this.db.selectFrom('opretail_methods');
    return text === undefined ? query : query.where(containsAny(['name', 'url'], text));
  }

  async get(name: string, version: string): Promise<GatewayMethod> {
    const row = await this.row(name, version);
    if (!row) throw new NotFound('method', `no method ${name} ${version}`);
    return fromRow(row);
  }

  /** The enabled method for `_mt` + `_version`, cached for `cacheTtlMs`. */
  async resolve(name: string, version: string): Promise<GatewayMethod | undefined> {
    const method = await this.routes.get(routeKey(name, version), async () => {
      const row = await this.row(name, version);
      return row ? fromRow(row) : undefined;
    });
    return method?.enabled ? method : undefined;
  }

  async update(name: string, version: string, changes: GatewayMethodChanges): Promise<GatewayMethod> {
    validate(changes);
    const set: Partial<Row> = { updated_at: this.clock.now() };
    if (changes.url !== undefined) set.url = changes.url;
    if (changes.testUrl !== undefined) set.test_url = changes.testUrl;
    if (changes.timeoutMs !== undefined) set.timeout_ms = changes.timeoutMs;
    if (changes.ratePerSecond !== undefined) set.rate_per_second = changes.ratePerSecond;
    if (changes.ratePerDay !== undefined) set.rate_per_day = changes.ratePerDay;
    if (changes.description !== undefined) set.description = changes.description;
    return this.write(name, version, set);
  }

  async setEnabled(name: string, version: string, enabled: boolean): Promise<GatewayMethod> {
    return this.write(name, version, { enabled: enabled ? 1 : 0, updated_at: this.clock.now() });
  }

  async grant(keyId: number, method: GatewayMethod): Promise<void> {
    await this.db
      .insertInto('opretail_grants')
      .values({ key_id: keyId, method_id: method.id, created_at: this.clock.now() })
      .onConflict((oc) => oc.columns(['key_id', 'method_id']).doNothing())
      .execute();
    this.grants.delete(`${keyId}:${method.id}`);
  }

  async revoke(keyId: number, method: GatewayMethod): Promise<void> {
    await this.db.deleteFrom('opretail_grants').where('key_id', '=', keyId).where('method_id', '=', method.id).execute();
    this.grants.delete(`${keyId}:${method.id}`);
  }

  async isGranted(keyId: number, methodId: number): Promise<boolean> {
    const hit = await this.grants.get(`${keyId}:${methodId}`, async () => {
      const row = await this.db
        .selectFrom('opretail_grants')
        .select('key_id')
        .where('key_id', '=', keyId)
        .where('method_id', '=', methodId)
        .executeTakeFirst();
      return { granted: row !== undefined };
    });
    return hit?.granted ?? false;
  }

  /** The methods granted to a key, for listing. */
  async grantsOf(keyId: number): Promise<GatewayMethod[]> {
    const rows = await this.db
      .selectFrom('opretail_grants')
      .innerJoin('opretail_methods', 'opretail_methods.id', 'opretail_grants.method_id')
      .selectAll('opretail_methods')
      .where('opretail_grants.key_id', '=', keyId)
      .orderBy('opretail_methods.name')
      .execute();
    return rows.map(fromRow);
  }

  private row(name: string, version: string): Promise<Row | undefined> {
    return this.db.selectFrom('opretail_methods').selectAll().where('name', '=', name).where('version', '=', version).executeTakeFirst();
  }

  private async write(name: string, version: string, set: Partial<Row>): Promise<GatewayMethod> {
    const row = await this.db
      .updateTable('opretail_methods')
      .set(set)
      .where('name', '=', name)
      .where('version', '=', version)
      .returningAll()
      .executeTakeFirst();
    this.routes.delete(routeKey(name, version));
    if (!row) throw new NotFound('method', `no method ${name} ${version}`);
    return fromRow(row);
  }
}

function routeKey(name: string, version: string): string {
  return `${name}\u0000${version}`;
}
