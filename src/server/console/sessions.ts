import { createHash, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../kernel/clock.ts';
import { constantTimeEqual } from '../../kernel/secrets.ts';
import type { StateStore } from '../../state/state.ts';

/**
 * The console's sessions: the admin token, typed once into the sign-in form, is exchanged for a
 * random session id in an HttpOnly, SameSite=Strict cookie (Secure behind https). The session is
 * kept in the state store under the SHA-256 of its id (never the id itself), so every process that
 * shares the store honours it and a sign-out on one ends it on all; it ends after
 * KAIFANG_CONSOLE_IDLE_MINUTES without use. Each session has its own CSRF token, which every
 * write must carry in `X-CSRF-Token` (the page reads it from `GET /console/api/session`).
 */

export const SESSION_COOKIE = 'kaifang_console';
export const CSRF_HEADER = 'x-csrf-token';

interface SessionRecord {
  csrf: string;
  /** The name of the admin token it was signed in with (sessions from before named tokens: the root). */
  token?: string;
  createdAt: number;
  lastSeen: number;
}

export interface Session {
  csrf: string;
  createdAt: number;
  /** The name of the admin token it was signed in with: the session acts with that token's scope. */
  token: string;
}

const hashOf = (id: string) => createHash('sha256').update(id, 'utf8').digest('hex');
const key = (id: string) => `console:session:${hashOf(id)}`;
/** Sessions are refreshed in the store at most this often: a busy page does not write on every request. */
const TOUCH_EVERY_MS = 30_000;

export class ConsoleSessions {
  constructor(
    private readonly state: StateStore,
    private readonly clock: Clock,
    private readonly idleMs: number,
    private readonly secure: boolean,
  ) {}

  /** A new session for the admin token named `token`: its id goes only into the cookie. */
  async create(reply: FastifyReply, token: string): Promise<Session> {
    const id = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const record: SessionRecord = { csrf: randomBytes(24).toString('base64url'), token, createdAt: now, lastSeen: now };
    await this.state.set(key(id), JSON.stringify(record), this.idleMs + TOUCH_EVERY_MS);
    reply.header('set-cookie', this.cookie(id, Math.floor(this.idleMs / 1000)));
    return { csrf: record.csrf, createdAt: now, token };
  }

  /** The request's session when it has a live one (its idle time restarts), else undefined. */
  async read(request: FastifyRequest): Promise<Session | undefined> {
    const id = cookieOf(request, SESSION_COOKIE);
    if (!id || id.length > 100) return undefined;
    const raw = await this.state.get(key(id));
    if (!raw) return undefined;
    const record = JSON.parse(raw) as SessionRecord;
    const now = this.clock.now();
    if (now - record.lastSeen > this.idleMs) {
      await this.state.del(key(id));
      return undefined;
    }
    if (now - record.lastSeen > TOUCH_EVERY_MS) {
      record.lastSeen = now;
      await this.state.set(key(id), JSON.stringify(record), this.idleMs + TOUCH_EVERY_MS);
    }
    return { csrf: record.csrf, createdAt: record.createdAt, token: record.token ?? 'root' };
  }

  /** Whether a write carries the session's CSRF token (compared in constant time). */
  csrfMatches(request: FastifyRequest, session: Session): boolean {
    const sent = request.headers[CSRF_HEADER];
    return typeof sent === 'string' && sent !== '' && constantTimeEqual(sent, session.csrf);
  }

  /** Ends the request's session in the shared store, and clears the cookie. */
  async end(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const id = cookieOf(request, SESSION_COOKIE);
    if (id) await this.state.del(key(id));
    reply.header('set-cookie', this.cookie('', 0));
  }

  private cookie(value: string, maxAge: number): string {
    return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${this.secure ? '; Secure' : ''}`;
  }
}

/** One cookie's value from the Cookie header. */
export function cookieOf(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
