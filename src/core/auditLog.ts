import { sql, type Kysely } from 'kysely';
import type { Clock } from '../kernel/clock.ts';
import type { Database } from '../store/schema.ts';

/**
 * The operators' audit trail: every write made through the admin API or the CLI — who (a token's
 * name, `console:<name>` for a console session, `cli@<host>` for the CLI), what (method and route,
 * or the command), when, on which object, with which non-secret fields. It never holds a secret:
 * `withoutSecrets` drops every field whose name looks like key material before anything is stored.
 */

export interface AuditEntry {
  actor: string;
  action: string;
  front?: string | null;
  objectId?: string | null;
  /** 'ok', or why it was refused (the status and error kind). */
  outcome: string;
  detail?: unknown;
  requestId?: string | null;
}

export interface AuditRecord {
  id: number;
  at: number;
  actor: string;
  action: string;
  front: string | null;
  objectId: string | null;
  outcome: string;
  detail: unknown;
  requestId: string | null;
}

export interface AuditQuery {
  actor?: string;
  front?: string;
  /** Actions containing this text (`POST /opretail/keys`, `opretail keys create`). */
  action?: string;
  objectId?: string;
  since?: number | undefined;
  until?: number | undefined;
  limit?: number;
  offset?: number;
}

/**
 * Field names that are or may hold key material: secrets, keys, tokens, passwords, signatures,
 * private material. Conservative on purpose: a harmless field dropped costs less than a secret kept.
 */
const SECRET_NAME = /secret|token|key|passw|pwd|sign|private|credential|cert|auth|ticket|code|cookie|csrf|sealed/i;
/** Public identifiers whose names happen to match (an Opretail applicationKey is its public id). */
const PUBLIC_IDS = new Set(['applicationKey', 'keytype', 'name', 'scope', 'fronts']);
const MAX_STRING = 200;
const MAX_DETAIL = 4000;

/** `value` with every secret-looking field removed (at any depth) and long strings cut; arrays of objects too. */
export function withoutSecrets(value: unknown, depth = 0): unknown {
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'string') return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
  if (depth > 4) return '…';
  if (Array.isArray(value)) return value.slice(0, 20).map((v) => withoutSecrets(v, depth + 1));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
      if (SECRET_NAME.test(name) && !PUBLIC_IDS.has(name)) continue;
      out[name] = withoutSecrets(v, depth + 1);
    }
    return out;
  }
  return undefined;
}

/** Leaf commands that only read (the rest of a front's commands write and are audited). */
const READ_COMMANDS = new Set(['list', 'show', 'grants', 'notices', 'orders', 'sign']);

/** Whether a CLI command (its words under `kaifang`) only reads, and so is not audited. */
export function isReadCommand(path: readonly string[]): boolean {
  return READ_COMMANDS.has(path.at(-1) ?? '');
}

export class AuditLog {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    const cleaned = entry.detail === undefined ? undefined : withoutSecrets(entry.detail);
    let detail =
      cleaned === undefined || (typeof cleaned === 'object' && cleaned !== null && Object.keys(cleaned).length === 0)
        ? null
        : JSON.stringify(cleaned);
    if (detail !== null && detail.length > MAX_DETAIL) detail = JSON.stringify({ truncated: true, fields: Object.keys(cleaned as object) });
    await this.db
      .insertInto('audit_log')
      .values({
        at: this.clock.now(),
        actor: entry.actor.slice(0, 200),
        action: entry.action.slice(0, 300),
        front: entry.front ?? null,
        object_id: entry.objectId ? entry.objectId.slice(0, 300) : null,
        outcome: entry.outcome.slice(0, 100),
        detail,
        request_id: entry.requestId ?? null,
      })
      .execute();
  }

  /** Newest first. */
  async query(q: AuditQuery = {}): Promise<AuditRecord[]> {
    let query = this.db.selectFrom('audit_log').selectAll();
    if (q.actor) query = query.where('actor', '=', q.actor);
    if (q.front) query = query.where('front', '=', q.front);
    if (q.objectId) query = query.where('object_id', '=', q.objectId);
    if (q.action) {
      const pattern = `%${q.action.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query = query.where(sql<boolean>`${sql.ref('action')} LIKE ${pattern} ESCAPE '\\'`);
    }
    if (q.since !== undefined) query = query.where('at', '>=', q.since);
    if (q.until !== undefined) query = query.where('at', '<', q.until);
    const rows = await query
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(q.limit ?? 100)
      .offset(q.offset ?? 0)
      .execute();
    return rows.map((r) => ({
      id: Number(r.id),
      at: Number(r.at),
      actor: r.actor,
      action: r.action,
      front: r.front,
      objectId: r.object_id,
      outcome: r.outcome,
      detail: r.detail === null ? null : (JSON.parse(r.detail) as unknown),
      requestId: r.request_id,
    }));
  }
}

/** An audit record as the admin API and the CLI show it: times as ISO 8601 UTC. */
export function presentAudit(r: AuditRecord) {
  return { ...r, at: new Date(r.at).toISOString() };
}
