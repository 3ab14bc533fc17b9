import type { Kysely } from 'kysely';
import { isUniqueViolation } from '../store/database.ts';
import type { Database } from '../store/schema.ts';
import type { Clock } from '../kernel/clock.ts';
import {
  Conflict,
  Disabled,
  DomainError,
  Expired,
  Forbidden,
  InvalidInput,
  InvalidSignature,
  NotFound,
  RateLimited,
  Replayed,
  UpstreamRejected,
  UpstreamUnavailable,
  type ErrorKind,
  type RejectReason,
  type UnavailableReason,
} from '../kernel/errors.ts';

export interface IdempotencyOptions {
  /**
   * What the request asked, e.g. a hash of its parameters: a repeat of the key that asks
   * something else is `Conflict` (an order number reused with another code). Default: none.
   */
  fingerprint?: string;
  /** How long a repeat waits for a first call still running before giving up (default 10 s). */
  waitMs?: number;
  /**
   * How long a running call holds the key: past it, the caller is taken to have died mid-run and
   * the next caller runs the operation again (default: the instance's `leaseMs`, 60 s). Set it
   * just above the operation's longest run — e.g. an upstream call's timeout plus a margin — and a
   * `waitMs` above it, so that a repeat waiting on a dead caller's record takes it over instead
   * of giving up.
   */
  leaseMs?: number;
  /**
   * Which failures are the operation's outcome, stored and answered to repeats, rather than a
   * failure to try again. Default: every domain error (a failure the caller was told about,
   * including an upstream that may have acted); an unexpected error always frees the key.
   */
  keepFailure?: (err: DomainError) => boolean;
}

export interface IdempotentResult<T> {
  value: T;
  /** True when this is the stored outcome of an earlier call, not a new one. */
  repeated: boolean;
}

type Stored = { ok: true; value: unknown } | { ok: false; error: StoredError };

/** A done record as the database holds it (it does not change until it expires). */
interface DoneRecord {
  fingerprint: string;
  outcome: string | null;
  expiresAt: number;
}

interface StoredError {
  kind: ErrorKind;
  message: string;
  fields: Record<string, unknown>;
}

/** Fields a domain error carries besides its message, kept so a repeat gets the same error. */
const ERROR_FIELDS = ['param', 'what', 'retryAfterSeconds', 'upstream', 'code', 'upstreamMessage', 'reason', 'status'] as const;

function storeError(err: DomainError): StoredError {
  const fields: Record<string, unknown> = {};
  for (const f of ERROR_FIELDS) if (f in err) fields[f] = (err as unknown as Record<string, unknown>)[f];
  return { kind: err.kind, message: err.message, fields };
}

function rebuildError({ kind, message, fields: f }: StoredError): DomainError {
  const s = (name: string) => String(f[name] ?? '');
  switch (kind) {
    case 'InvalidInput':
      return new InvalidInput(s('param'), message);
    case 'InvalidSignature':
      return new InvalidSignature(message);
    case 'Expired':
      return new Expired(message);
    case 'Replayed':
      return new Replayed(message);
    case 'RateLimited':
      return new RateLimited(message, Number(f.retryAfterSeconds ?? 1));
    case 'NotFound':
      return new NotFound(s('what'), message);
    case 'Disabled':
      return new Disabled(message);
    case 'Forbidden':
      return new Forbidden(message);
    case 'Conflict':
      return new Conflict(message);
    case 'UpstreamRejected':
      return new UpstreamRejected(s('upstream'), s('code'), s('upstreamMessage'), (f.reason as RejectReason) ?? 'other', message);
    case 'UpstreamUnavailable':
      return new UpstreamUnavailable(
        s('upstream'),
        message,
        f.status === undefined ? undefined : Number(f.status),
        (f.reason as UnavailableReason) ?? 'unreadable',
      );
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Operations that happen once per key within a time to live, with their first outcome stored
 * durably in the database: a repeat within the TTL gets that outcome without running again (also
 * after the server was killed right after answering), and a repeat that arrives while the first is
 * still running — in this process or another sharing the database — waits for its outcome instead
 * of running it a second time. The database's unique key decides who runs.
 *
 * A running record carries a lease (`leaseMs`, per instance or per call, renewed by nothing: set it
 * above the operation's longest run); a record whose lease passed was left by a process that died
 * mid-run, and the next caller — one that was waiting on it included — takes it over and runs the
 * operation again (so an operation whose effect must not repeat keeps a long lease).
 *
 * A done record never changes until it expires (nothing but expiry removes one), so this process
 * keeps the last `doneKept` (KAIFANG_CACHE_SIZE) it read or wrote and answers their repeats without the database: a
 * cashier's retry storm costs no query, and every process still agrees, since what it keeps is
 * what the database holds.
 */
export class Idempotency {
  private readonly done = new Map<string, DoneRecord>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly options: { leaseMs?: number; pollMs?: number; doneKept?: number } = {},
  ) {}

  async run<T>(key: string, ttlMs: number, fn: () => Promise<T>, options: IdempotencyOptions = {}): Promise<IdempotentResult<T>> {
    const fingerprint = options.fingerprint ?? '';
    // Waiting runs on real time: an injected test clock may stand still.
    const waitUntil = performance.now() + (options.waitMs ?? 10_000);
    const leaseMs = options.leaseMs ?? this.options.leaseMs ?? 60_000;
    const kept = this.done.get(key);
    if (kept !== undefined) {
      if (kept.expiresAt > this.clock.now()) return this.repeat<T>(kept, fingerprint);
      this.done.delete(key);
    }
    for (;;) {
      const now = this.clock.now();
      const row = await this.db.selectFrom('idempotency_records').selectAll().where('key', '=', key).executeTakeFirst();
      if (row && Number(row.expires_at) > now) {
        if (row.state === 'done')
          return this.repeat<T>(
            this.keep(key, { fingerprint: row.fingerprint, outcome: row.outcome, expiresAt: Number(row.expires_at) }),
            fingerprint,
          );
        if (row.fingerprint !== fingerprint) throw new Conflict('this key was already used for a different request');
        const leaseUntil = Number(row.lease_until);
        if (leaseUntil > now) {
          if (performance.now() >= waitUntil) {
            throw new UpstreamUnavailable('idempotency', `the first request with this key is still in progress`, undefined, 'in-progress');
          }
          await sleep(this.options.pollMs ?? 25);
          continue;
        }
        // The first caller's lease passed: it died mid-run. Take the record over, once.
        const taken = await this.db
          .updateTable('idempotency_records')
          .set({ lease_until: now + leaseMs })
          .where('key', '=', key)
          .where('state', '=', 'running')
          .where('lease_until', '=', leaseUntil)
          .executeTakeFirst();
        if (Number(taken.numUpdatedRows) === 1)
          return this.runOwned(key, { fingerprint, leaseUntil: now + leaseMs, expiresAt: Number(row.expires_at) }, fn, options);
        continue;
      }
      if (row) {
        // Expired: remove exactly that record (a newer one stays) and claim afresh.
        await this.db.deleteFrom('idempotency_records').where('key', '=', key).where('expires_at', '=', row.expires_at).execute();
      }
      try {
        await this.db
          .insertInto('idempotency_records')
          .values({
            key,
            fingerprint,
            state: 'running',
            outcome: null,
            lease_until: now + leaseMs,
            expires_at: now + ttlMs,
            created_at: now,
          })
          .execute();
      } catch (err) {
        if (isUniqueViolation(err)) continue; // another caller claimed it first: read its record
        throw err;
      }
      return this.runOwned(key, { fingerprint, leaseUntil: now + leaseMs, expiresAt: now + ttlMs }, fn, options);
    }
  }

  private repeat<T>(record: DoneRecord, fingerprint: string): IdempotentResult<T> {
    if (record.fingerprint !== fingerprint) throw new Conflict('this key was already used for a different request');
    return { value: this.answer<T>(record.outcome), repeated: true };
  }

  private keep(key: string, record: DoneRecord): DoneRecord {
    const max = this.options.doneKept ?? 10_000;
    if (max <= 0) return record;
    if (this.done.size >= max) this.done.delete(this.done.keys().next().value!);
    this.done.set(key, record);
    return record;
  }

  private async runOwned<T>(
    key: string,
    claim: { fingerprint: string; leaseUntil: number; expiresAt: number },
    fn: () => Promise<T>,
    options: IdempotencyOptions,
  ): Promise<IdempotentResult<T>> {
    let stored: Stored;
    try {
      stored = { ok: true, value: await fn() };
    } catch (err) {
      const keep = err instanceof DomainError && (options.keepFailure?.(err) ?? true);
      if (!keep) {
        await this.db.deleteFrom('idempotency_records').where('key', '=', key).where('state', '=', 'running').execute();
        throw err;
      }
      stored = { ok: false, error: storeError(err as DomainError) };
    }
    // Acknowledged only once stored: an answer a caller saw is one a repeat will see. Stored only
    // while the claim is still this call's: a run that outlived its lease was taken over, and the
    // record is the taker's to finish.
    const outcome = JSON.stringify(stored);
    const res = await this.db
      .updateTable('idempotency_records')
      .set({ state: 'done', outcome })
      .where('key', '=', key)
      .where('state', '=', 'running')
      .where('lease_until', '=', claim.leaseUntil)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 1) this.keep(key, { fingerprint: claim.fingerprint, outcome, expiresAt: claim.expiresAt });
    return { value: this.answer<T>(outcome), repeated: false };
  }

  private answer<T>(outcome: string | null): T {
    const stored = JSON.parse(outcome ?? 'null') as Stored | null;
    if (!stored) throw new Error('an idempotency record is done without an outcome');
    if (stored.ok) return stored.value as T;
    throw rebuildError(stored.error);
  }

  /** Deletes records past their TTL; returns how many. */
  async prune(): Promise<number> {
    const res = await this.db.deleteFrom('idempotency_records').where('expires_at', '<=', this.clock.now()).executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
