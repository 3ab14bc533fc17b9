import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.ts';
import { KNOWN_ABSENT, TtlCache, type Cached } from './cache.ts';
import type { Clock } from '../kernel/clock.ts';
import { constantTimeEqual, sha256Hex } from '../kernel/secrets.ts';

/** What a valid token stands for. */
export interface TokenGrant {
  subject: string;
  data: string | null;
  expiresAt: number;
}

export interface BearerTokenOptions {
  /** Random bytes per token (default 32: 43 URL-safe characters). */
  bytes?: number;
  /** Makes a token another way (a protocol's own look); it must carry at least 96 random bits. */
  format?: () => string;
  /**
   * Cache verified tokens in this process for up to this long (default 0: no cache). A revoked
   * token keeps working here for at most this bound; expiry is checked on every use.
   */
  cache?: { size: number; ttlMs: number };
}

/**
 * Bearer tokens of one kind (access tokens, tickets, one-time codes): random, URL-safe, given to
 * the caller once and stored only as their SHA-256 in the database, so they survive a restart and
 * a copy of the database cannot be used to call anything. A token is checked by looking its hash
 * up and comparing the stored hash in constant time.
 */
export class BearerTokens {
  private readonly cache: TtlCache<TokenGrant>;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    /** Tokens of other kinds never verify as this kind. */
    private readonly kind: string,
    private readonly options: BearerTokenOptions = {},
  ) {
    this.cache = new TtlCache(options.cache?.size ?? 0, options.cache?.ttlMs ?? 0);
  }

  /**
   * Issues a token for `subject`, valid `ttlMs`. With `overlapMs`, the subject's earlier tokens
   * stop working that long from now (or when they expire, if sooner): a fleet switching to the new
   * token keeps working meanwhile.
   */
  async issue(
    subject: string,
    ttlMs: number,
    options: { data?: string; overlapMs?: number } = {},
  ): Promise<{ token: string; expiresAt: number }> {
    const token = this.options.format ? this.options.format() : randomBytes(this.options.bytes ?? 32).toString('base64url');
    const now = this.clock.now();
    const expiresAt = now + ttlMs;
    let shortened: { hash: string }[] = [];
    await this.db.transaction().execute(async (trx) => {
      if (options.overlapMs !== undefined) {
        const until = now + options.overlapMs;
        shortened = await trx
          .updateTable('bearer_tokens')
          .set({ expires_at: until })
          .where('kind', '=', this.kind)
          .where('subject', '=', subject)
          .where('expires_at', '>', until)
          .returning('hash')
          .execute();
      }
      await trx
        .insertInto('bearer_tokens')
        .values({ hash: sha256Hex(token), kind: this.kind, subject, data: options.data ?? null, expires_at: expiresAt, created_at: now })
        .execute();
    });
    // This process sees the shortened life at once; others within their cache bound.
    for (const { hash } of shortened) this.cache.delete(hash);
    return { token, expiresAt };
  }

  /**
   * What `verify` would give, when this process has the token cached (`value` undefined: not
   * valid); undefined when it has to be read.
   */
  cachedVerify(token: string): Cached<TokenGrant> | undefined {
    if (!plausible(token)) return KNOWN_ABSENT;
    const hit = this.cache.peek(sha256Hex(token));
    if (!hit) return undefined;
    return this.unexpired(hit.value) ? hit : KNOWN_ABSENT;
  }

  /** What the token stands for, when it is one of this kind and unexpired; else undefined. */
  async verify(token: string): Promise<TokenGrant | undefined> {
    if (!plausible(token)) return undefined;
    const hash = sha256Hex(token);
    const grant = await this.cache.get(hash, async () => {
      const row = await this.db
        .selectFrom('bearer_tokens')
        .select(['hash', 'kind', 'subject', 'data', 'expires_at'])
        .where('hash', '=', hash)
        .executeTakeFirst();
      if (!row || row.kind !== this.kind || !constantTimeEqual(row.hash, hash)) return undefined;
      return { subject: row.subject, data: row.data, expiresAt: Number(row.expires_at) };
    });
    return this.unexpired(grant) ? grant : undefined;
  }

  /** Expiry is checked on every use, cached or not: the cache may hold a grant past its end. */
  private unexpired(grant: TokenGrant | undefined): grant is TokenGrant {
    return grant !== undefined && grant.expiresAt > this.clock.now();
  }

  /**
   * Uses a one-time token up: returns what it stood for and deletes it in the same statement, so
   * of many concurrent uses exactly one succeeds. With `subject`, only a token issued for that
   * subject is taken (another subject's attempt leaves it usable for its owner).
   */
  async take(token: string, subject?: string): Promise<TokenGrant | undefined> {
    const got = await this.redeem(token, subject);
    return got === 'expired' ? undefined : got;
  }

  /** `take`, saying `'expired'` for a token that was issued but is past its time (it is deleted too). */
  async redeem(token: string, subject?: string): Promise<TokenGrant | 'expired' | undefined> {
    if (!plausible(token)) return undefined;
    const hash = sha256Hex(token);
    let q = this.db.deleteFrom('bearer_tokens').where('hash', '=', hash).where('kind', '=', this.kind);
    if (subject !== undefined) q = q.where('subject', '=', subject);
    const row = await q.returning(['hash', 'subject', 'data', 'expires_at']).executeTakeFirst();
    this.cache.delete(hash);
    if (!row || !constantTimeEqual(row.hash, hash)) return undefined;
    if (Number(row.expires_at) <= this.clock.now()) return 'expired';
    return { subject: row.subject, data: row.data, expiresAt: Number(row.expires_at) };
  }

  /** Ends one token now. */
  async revoke(token: string): Promise<void> {
    const hash = sha256Hex(token);
    await this.db.deleteFrom('bearer_tokens').where('hash', '=', hash).where('kind', '=', this.kind).execute();
    this.cache.delete(hash);
  }

  /** Ends every token of `subject` (a disabled app, a rotated secret). */
  async revokeSubject(subject: string): Promise<number> {
    const res = await this.db.deleteFrom('bearer_tokens').where('kind', '=', this.kind).where('subject', '=', subject).executeTakeFirst();
    this.cache.clear();
    return Number(res.numDeletedRows);
  }
}

/** Deletes tokens of every kind past their expiry; returns how many. */
export async function pruneExpiredTokens(db: Kysely<Database>, now: number): Promise<number> {
  const res = await db.deleteFrom('bearer_tokens').where('expires_at', '<=', now).executeTakeFirst();
  return Number(res.numDeletedRows);
}

/** Tokens are URL-safe base64; anything else (or absurdly long) is refused without a lookup. */
function plausible(token: string): boolean {
  return typeof token === 'string' && token.length > 0 && token.length <= 512;
}
