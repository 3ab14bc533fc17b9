import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../kernel/clock.ts';
import { InvalidInput, NotFound } from '../kernel/errors.ts';
import { constantTimeEqual, sha256Hex } from '../kernel/secrets.ts';
import type { Database } from '../store/schema.ts';
import { insertUnique } from './unique.ts';

/**
 * The admin API's tokens. The root token is the bootstrap one (KAIFANG_ADMIN_TOKEN or
 * data-dir/admin.token) until `kaifang admin rotate-token` records a new one's hash under the name
 * `root`: from then on the store's root, not any process's file, is the root token, so the old one
 * stops working in every process within the cache bound. Scoped tokens are named, read-only or
 * read-write, optionally limited to some fronts, and revocable. Only each token's SHA-256 is
 * stored (they carry 256 random bits, so the hash cannot be reversed); a token is given out once.
 *
 * Each process keeps the whole (small) table in memory for KAIFANG_ADMIN_TOKEN_CACHE_MS: a check
 * costs a hash and a map lookup, and a rotation or revocation elsewhere takes effect within that bound.
 */

export type TokenScope = 'root' | 'write' | 'read';

/** Who an admin request acts as. */
export interface AdminPrincipal {
  name: string;
  scope: TokenScope;
  /** The fronts it is limited to; null = every front. */
  fronts: readonly string[] | null;
}

/** A token as listed: never its secret or its hash. */
export interface AdminTokenInfo {
  name: string;
  scope: TokenScope;
  fronts: string[] | null;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export const ROOT_TOKEN_NAME = 'root';
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/;
/** last_used_at is written at most this often per token: a busy script does not write on every call. */
const TOUCH_EVERY_MS = 60_000;

/** A new token: 256 random bits, URL-safe. */
export function newAdminToken(): string {
  return randomBytes(32).toString('base64url');
}

interface Loaded {
  at: number;
  byHash: Map<string, AdminPrincipal & { hash: string }>;
  byName: Map<string, AdminPrincipal>;
  /** The rotated root's hash, when the store has one. */
  rootHash: string | undefined;
}

export class AdminTokens {
  private loaded: Loaded | undefined;
  private loading: Promise<Loaded> | undefined;
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    /** The bootstrap root token (the setting or the file), which stands until a rotation. */
    private readonly bootstrapToken: string,
    /** The fronts a token may be limited to. */
    private readonly knownFronts: readonly string[],
    private readonly cacheMs: number,
  ) {}

  /** Who `token` is, or undefined when it is no live token. */
  async verify(token: string): Promise<AdminPrincipal | undefined> {
    if (token === '') return undefined;
    const table = await this.table();
    const hash = sha256Hex(token);
    const hit = table.byHash.get(hash);
    if (hit && constantTimeEqual(hit.hash, hash)) {
      this.touch(hit.name, hash);
      return { name: hit.name, scope: hit.scope, fronts: hit.fronts };
    }
    // Before any rotation the bootstrap token is the root.
    if (table.rootHash === undefined && constantTimeEqual(token, this.bootstrapToken))
      return { name: ROOT_TOKEN_NAME, scope: 'root', fronts: null };
    return undefined;
  }

  /** The live token of that name (a console session names its token), or undefined once revoked. */
  async byName(name: string): Promise<AdminPrincipal | undefined> {
    if (name === ROOT_TOKEN_NAME) return { name, scope: 'root', fronts: null };
    return (await this.table()).byName.get(name);
  }

  /** Issues a scoped token; its secret is in the reply only. */
  async create(input: { name: string; scope: string; fronts?: readonly string[] }): Promise<AdminTokenInfo & { token: string }> {
    const { name, scope } = input;
    if (typeof name !== 'string' || !NAME.test(name))
      throw new InvalidInput('name', 'name must be 1 to 40 letters, digits, dots, dashes or underscores, starting with a letter or digit');
    if (name === ROOT_TOKEN_NAME)
      throw new InvalidInput('name', '"root" is the bootstrap token: rotate it with `kaifang admin rotate-token`');
    if (scope !== 'read' && scope !== 'write') throw new InvalidInput('scope', `scope must be "read" or "write"; got "${String(scope)}"`);
    const fronts = input.fronts && input.fronts.length > 0 ? [...new Set(input.fronts)] : null;
    for (const f of fronts ?? [])
      if (!this.knownFronts.includes(f))
        throw new InvalidInput('fronts', `no front "${f}" here; the fronts are ${this.knownFronts.join(', ')}`);
    const token = newAdminToken();
    const now = this.clock.now();
    await insertUnique(
      this.db
        .insertInto('admin_tokens')
        .values({ name, hash: sha256Hex(token), scope, fronts: fronts ? JSON.stringify(fronts) : null, created_at: now })
        .execute(),
      `a token named "${name}" exists or existed (names are not reused, so the audit trail stays unambiguous): choose another name`,
    );
    this.loaded = undefined;
    return { name, scope, fronts, createdAt: now, lastUsedAt: null, revokedAt: null, token };
  }

  /** Every scoped token, revoked ones too (the root is not listed: it is rotated, not revoked). */
  async list(): Promise<AdminTokenInfo[]> {
    const rows = await this.db.selectFrom('admin_tokens').selectAll().where('name', '!=', ROOT_TOKEN_NAME).orderBy('id').execute();
    return rows.map((r) => ({
      name: r.name,
      scope: r.scope as TokenScope,
      fronts: r.fronts ? (JSON.parse(r.fronts) as string[]) : null,
      createdAt: Number(r.created_at),
      lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
      revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
    }));
  }

  /** Revokes a scoped token: refused everywhere within the cache bound. Revoking a revoked one is a no-op. */
  async revoke(name: string): Promise<AdminTokenInfo> {
    if (name === ROOT_TOKEN_NAME)
      throw new InvalidInput('name', 'the root token is not revoked but replaced: `kaifang admin rotate-token`');
    await this.db
      .updateTable('admin_tokens')
      .set({ revoked_at: this.clock.now() })
      .where('name', '=', name)
      .where('revoked_at', 'is', null)
      .execute();
    this.loaded = undefined;
    const info = (await this.list()).find((t) => t.name === name);
    if (!info) throw new NotFound('adminToken', `no admin token named "${name}"`);
    return info;
  }

  /** Makes `token` the root token (the rotation's step in the store), in place of the file's or the last rotation's. */
  async setRoot(token: string): Promise<void> {
    const hash = sha256Hex(token);
    const now = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('admin_tokens').where('name', '=', ROOT_TOKEN_NAME).execute();
      await trx.insertInto('admin_tokens').values({ name: ROOT_TOKEN_NAME, hash, scope: 'root', fronts: null, created_at: now }).execute();
    });
    this.loaded = undefined;
  }

  private async table(): Promise<Loaded> {
    const now = this.clock.now();
    if (this.loaded && now - this.loaded.at < this.cacheMs) return this.loaded;
    this.loading ??= this.load(now).finally(() => (this.loading = undefined));
    this.loaded = await this.loading;
    return this.loaded;
  }

  private async load(at: number): Promise<Loaded> {
    const rows = await this.db
      .selectFrom('admin_tokens')
      .select(['name', 'hash', 'scope', 'fronts'])
      .where('revoked_at', 'is', null)
      .execute();
    const byHash = new Map<string, AdminPrincipal & { hash: string }>();
    const byName = new Map<string, AdminPrincipal>();
    let rootHash: string | undefined;
    for (const r of rows) {
      const principal = { name: r.name, scope: r.scope as TokenScope, fronts: r.fronts ? (JSON.parse(r.fronts) as string[]) : null };
      byHash.set(r.hash, { ...principal, hash: r.hash });
      byName.set(r.name, principal);
      if (r.name === ROOT_TOKEN_NAME) rootHash = r.hash;
    }
    return { at, byHash, byName, rootHash };
  }

  private touch(name: string, hash: string): void {
    const now = this.clock.now();
    if (now - (this.touched.get(name) ?? 0) < TOUCH_EVERY_MS) return;
    this.touched.set(name, now);
    void this.db
      .updateTable('admin_tokens')
      .set({ last_used_at: now })
      .where('hash', '=', hash)
      .execute()
      .catch(() => undefined);
  }
}

/**
 * What `principal` may not do with `method` on `path` (relative to /admin/api: `/opretail/keys`),
 * as a message naming what it may do; undefined when it may.
 */
export function refusal(principal: AdminPrincipal, method: string, path: string): string | undefined {
  const first = path.split('/')[1] ?? '';
  const reads = method === 'GET' || method === 'HEAD';
  if (principal.fronts !== null && !principal.fronts.includes(first)) {
    const where = principal.fronts.map((f) => `/admin/api/${f}/`).join(', ');
    return `the token "${principal.name}" may only reach ${where}`;
  }
  if (!reads && principal.scope === 'read') return `the token "${principal.name}" is read-only: it may only GET`;
  if (first === 'tokens' && !(principal.scope === 'root' || (principal.scope === 'write' && principal.fronts === null)))
    return `the token "${principal.name}" may not manage admin tokens: only the root token or a write token for every front may`;
  return undefined;
}

/** A token as the admin API and the CLI show it: times as ISO 8601 UTC, never its secret. */
export function presentToken(t: AdminTokenInfo) {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    name: t.name,
    scope: t.scope,
    fronts: t.fronts,
    createdAt: iso(t.createdAt),
    lastUsedAt: iso(t.lastUsedAt),
    revokedAt: iso(t.revokedAt),
    status: t.revokedAt === null ? 'active' : 'revoked',
  };
}
