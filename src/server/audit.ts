import type { FastifyRequest } from 'fastify';
import { isReadCommand, type AuditEntry } from '../core/auditLog.ts';
import { fronts } from '../fronts/all.ts';
import type { Kaifang } from './kaifang.ts';

/**
 * What the audit trail records of one admin API write, from the request alone, so no route has
 * audit code of its own: the action is the method and the route's pattern (`PATCH /opretail/keys/:akey`),
 * the object its path parameters — or, for a creation, the new record's key as the front's console
 * descriptor names it (`applicationKey` for `/opretail/keys`) — and the detail the body's
 * non-secret fields (core/auditLog.ts drops the rest).
 */
export function auditEntry(k: Kaifang, request: FastifyRequest, status: number, payload: unknown, actor: string): AuditEntry {
  const pattern = (request.routeOptions.url ?? request.url.split('?')[0] ?? '').replace(/^\/admin\/api/, '').replace(/(.)\/$/, '$1');
  const first = pattern.split('/')[1] ?? '';
  const front = k.bound.some((b) => b.name === first) ? first : null;
  const reply = parsed(payload);
  const params = Object.values((request.params ?? {}) as Record<string, string>);
  const objectId = params.length > 0 ? params.join('/') : createdKey(first, pattern.slice(first.length + 1), reply);
  const error = (reply as { error?: { kind?: unknown } } | undefined)?.error;
  return {
    actor,
    action: `${request.method} ${pattern}`,
    front,
    objectId: objectId ?? null,
    outcome: status < 400 ? 'ok' : `${status}${typeof error?.kind === 'string' ? ` ${error.kind}` : ''}`,
    detail: typeof request.body === 'object' && request.body !== null ? request.body : undefined,
    requestId: request.id,
  };
}

/** The admin API's JSON reply, when it is one. */
function parsed(payload: unknown): unknown {
  if (typeof payload !== 'string' || payload.length > 100_000) return undefined;
  try {
    return JSON.parse(payload) as unknown;
  } catch {
    return undefined;
  }
}

/** Keys of the records a collection path makes, by front and path, from the console descriptors. */
const resourceKeys = new Map<string, string>(
  fronts.flatMap((f) => (f.console?.resources ?? []).map((r) => [`${f.name}${r.path}`, r.keyPath ?? `{${r.key}}`] as const)),
);

/** The key of a record just created at `/front/path` (tokens: its name), from the reply. */
export function createdKey(first: string, path: string, reply: unknown): string | undefined {
  if (typeof reply !== 'object' || reply === null) return undefined;
  const body = reply as Record<string, unknown>;
  const template = first === 'tokens' ? '{name}' : resourceKeys.get(`${first}${path}`);
  if (!template) return undefined;
  const fields = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
  if (fields.some((f) => body[f] === undefined || body[f] === null || body[f] === '')) return undefined;
  return template.replace(/\{([^}]+)\}/g, (_m, field: string) => String(body[field]));
}

/** Options of a command that say how to run it, not what to change. */
const RUN_OPTIONS = new Set(['json', 'dataDir']);

/**
 * What the audit trail records of one CLI command of a front, or undefined for a read: the command
 * path as the action, its operands (or the created record's key, from what it printed) as the
 * object, its options without secrets as the detail.
 */
export function cliAuditEntry(
  path: readonly string[],
  operands: readonly unknown[],
  options: Record<string, unknown>,
  printed: unknown,
  actor: { actor: string; user: string },
  outcome: string,
): AuditEntry | undefined {
  if (isReadCommand(path)) return undefined;
  const first = path[0] ?? '';
  const given = operands.flat().filter((v): v is string => typeof v === 'string');
  const objectId = given.length > 0 ? given.join('/') : path.length > 2 ? createdKey(first, `/${path[1]}`, printed) : undefined;
  const detail = Object.fromEntries(Object.entries(options).filter(([name]) => !RUN_OPTIONS.has(name)));
  return {
    actor: actor.actor,
    action: path.join(' '),
    front: fronts.some((f) => f.name === first) ? first : null,
    objectId: objectId ?? null,
    outcome,
    detail: { ...detail, osUser: actor.user },
    requestId: null,
  };
}
