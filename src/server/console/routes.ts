import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { fronts } from '../../fronts/all.ts';
import { redactUrl } from '../../kernel/settings.ts';
import type { SandboxJournal } from '../../sandbox/journal.ts';
import { CALL_RESULTS, type CallResult } from '../../core/callLog.ts';
import type { AdminPrincipal, AdminTokens } from '../../core/adminTokens.ts';
import { adminAuthorization, admit, principalOf, timeParam } from '../admin.ts';
import type { Kaifang } from '../kaifang.ts';
import type { ConsoleAssets } from './assets.ts';
import type { ConsoleSessions } from './sessions.ts';

/**
 * The operator console's shell, `/console/`: its page and files (built by `npm run build`), the
 * sign-in that turns the admin token into a session, and the console's own read-only API under
 * `/console/api` (the fronts' declared pages, the figures at a glance, the call log and its chart,
 * the sandbox journal). Everything it changes goes through the admin API, which takes the
 * session's cookie and CSRF token as it takes the Bearer token. No front is named here: the pages
 * come from each descriptor's `console`.
 */

/** Strict: only this server's own files; the pages have no inline script or style. `wasm-unsafe-eval` lets hash-wasm compile its digests. */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers of every page and file of the console and the debugger. */
export function pageHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', PAGE_CSP)
    .header('x-frame-options', 'DENY')
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cross-origin-opener-policy', 'same-origin')
    .header('cross-origin-resource-policy', 'same-origin');
}

/** Serves a built page or asset; 503 with a word when the build has not made it. */
export function serveAsset(assets: ConsoleAssets, name: string, reply: FastifyReply) {
  const asset = assets.get(name);
  pageHeaders(reply);
  if (!asset) {
    if (name.endsWith('.html'))
      return reply.code(503).type('text/plain; charset=utf-8').send('The console is not built: run `npm run build` (npm start does it).');
    return reply.code(404).type('text/plain; charset=utf-8').send('not found');
  }
  // Pages are small and name the hashed files of this build; the hashed files never change.
  reply.header('cache-control', name.endsWith('.html') ? 'no-store' : 'public, max-age=31536000, immutable');
  return reply.type(asset.type).send(asset.body);
}

/** What a session check says. */
export type SessionCheck = (request: FastifyRequest, reply: FastifyReply) => Promise<boolean>;

interface ConsoleOptions {
  k: Kaifang;
  journal: SandboxJournal | undefined;
  sessions: ConsoleSessions;
  assets: ConsoleAssets;
}

const TRACKED_FAILURES_MS = 15 * 60_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Checks a request of the admin API or the console API that carries no Bearer header: a live
 * session whose token is still live (a revoked token ends its sessions), and on a write its CSRF
 * token. Answers 401 or 403 itself and returns false when not; else the request acts as the
 * session's token (`console:<name>` in the audit trail).
 */
export function sessionCheck(sessions: ConsoleSessions, tokens: AdminTokens): SessionCheck {
  return async (request, reply) => {
    const session = await sessions.read(request);
    const principal = session && (await tokens.byName(session.token));
    if (!session || !principal) {
      if (session) await sessions.end(request, reply);
      void reply
        .code(401)
        .send({ error: { kind: 'Unauthorized', message: 'sign in to the console, or send "Authorization: Bearer <admin token>"' } });
      return false;
    }
    if (!['GET', 'HEAD'].includes(request.method) && !sessions.csrfMatches(request, session)) {
      void reply.code(403).send({ error: { kind: 'Forbidden', message: 'a write from the console needs its X-CSRF-Token header' } });
      return false;
    }
    admit(request, principal, `console:${principal.name}`);
    return true;
  };
}

/**
 * The console's own reads show every front's calls, so a token limited to some fronts is refused
 * them (it has its fronts' pages, through the admin API), and a read-only one any write. Answers 403 and returns true then.
 */
function refuseLimited(request: FastifyRequest, reply: FastifyReply): boolean {
  const p = principalOf(request);
  if (!p) return false;
  const why =
    p.fronts !== null
      ? `the token "${p.name}" may only reach ${p.fronts.map((f) => `/admin/api/${f}/`).join(', ')}`
      : p.scope === 'read' && !['GET', 'HEAD'].includes(request.method)
        ? `the token "${p.name}" is read-only: it may only GET`
        : undefined;
  if (why === undefined) return false;
  void reply.code(403).send({ error: { kind: 'Forbidden', message: why } });
  return true;
}

/** What the page is told of its session's token: it hides the writes a read-only token cannot make. */
function who(principal: AdminPrincipal) {
  return { token: { name: principal.name, scope: principal.scope, fronts: principal.fronts } };
}

/** The process heartbeat: each process counts itself once per 10-second window in the shared state. */
const BEAT_MS = 10_000;
const beatKey = (window: number) => `console:processes:${window}`;

export async function consoleRoutes(app: FastifyInstance, { k, journal, sessions, assets }: ConsoleOptions): Promise<void> {
  const checkSession = sessionCheck(sessions, k.adminTokens);
  const authorized = adminAuthorization(k);
  const idleMinutes = k.config.consoleIdleMinutes;

  // Heartbeats, so the overview can say how many processes share the state.
  const beat = () => void k.core.state.incr(beatKey(Math.floor(Date.now() / BEAT_MS)), BEAT_MS * 3).catch(() => undefined);
  beat();
  const timer = setInterval(beat, BEAT_MS);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));

  app.get('/', async (_request, reply) => reply.redirect('/console/', 302));
  app.get('/console', async (_request, reply) => reply.redirect('/console/', 301));
  app.get('/console/', async (_request, reply) => serveAsset(assets, 'console.html', reply));
  app.get('/console/assets/:name', async (request, reply) =>
    serveAsset(assets, `assets/${(request.params as { name: string }).name}`, reply),
  );

  // --- Sign-in, the session, sign-out.
  app.post('/console/api/session', async (request, reply) => {
    const body = request.body as { token?: unknown } | null;
    const token = typeof body?.token === 'string' ? body.token : '';
    // After failures from this address, every attempt waits first (parallel guesses too): 0.25 s doubling to 8 s.
    const failuresKey = `console:signin-failures:${request.ip}`;
    const prior = Number((await k.core.state.get(`${failuresKey}:seen`)) ?? 0);
    if (prior > 0) await sleep(Math.min(250 * 2 ** Math.min(prior - 1, 5), 8000));
    const principal = await k.adminTokens.verify(token);
    if (principal) {
      const session = await sessions.create(reply, principal.name);
      return reply.code(201).send({ csrf: session.csrf, idleMinutes, ...who(principal) });
    }
    // A wrong token: counted, and answered late.
    k.metrics.consoleSignInFailures.inc();
    const failures = await k.core.state.incr(failuresKey, TRACKED_FAILURES_MS);
    await k.core.state.set(`${failuresKey}:seen`, String(failures), TRACKED_FAILURES_MS);
    await sleep(250);
    request.log.warn({ ip: request.ip, failures }, 'console sign-in refused: wrong admin token');
    return reply.code(401).send({ error: { kind: 'Unauthorized', message: 'that is not a live admin token' } });
  });

  app.get('/console/api/session', async (request, reply) => {
    const session = await sessions.read(request);
    const principal = session && (await k.adminTokens.byName(session.token));
    if (!session || !principal) return reply.code(401).send({ error: { kind: 'Unauthorized', message: 'not signed in' } });
    return { csrf: session.csrf, idleMinutes, since: new Date(session.createdAt).toISOString(), ...who(principal) };
  });

  app.delete('/console/api/session', async (request, reply) => {
    if (!(await checkSession(request, reply))) return reply;
    await sessions.end(request, reply);
    return { signedOut: true };
  });

  // --- The console's own reads (a session, or the Bearer token).
  await app.register(
    async (api) => {
      api.addHook('onRequest', async (request, reply) => {
        if (request.headers.authorization !== undefined) {
          if (!(await authorized(request, reply))) return reply;
        } else if (!(await checkSession(request, reply))) return reply;
        // Every front's declared pages may be listed; the rest shows every front's calls.
        if (request.url.split('?')[0] !== '/console/api/fronts' && refuseLimited(request, reply)) return reply;
      });

      api.get('/fronts', async () => ({
        fronts: fronts.filter((f) => f.console).map((f) => ({ name: f.name, title: f.title, ...f.console, succeeded: undefined })),
        sandbox: k.config.upstreamMode === 'sandbox',
      }));

      api.get('/overview', async () => overview(k));

      api.get('/calls', async (request) => {
        const q = request.query as Record<string, string | undefined>;
        const limit = Math.min(Math.max(Number(q.limit ?? 50) || 50, 1), 500);
        const offset = Math.max(Number(q.offset ?? 0) || 0, 0);
        const query = {
          ...(q.front ? { front: q.front } : {}),
          ...(q.credential ? { credential: q.credential } : {}),
          ...(q.endpoint ? { endpoint: q.endpoint } : {}),
          ...(q.outcome ? { outcome: q.outcome } : {}),
          ...(q.result && (CALL_RESULTS as readonly string[]).includes(q.result) ? { result: q.result as CallResult } : {}),
          ...(q.requestId ? { requestId: q.requestId } : {}),
          since: timeParam('since', q.since),
          until: timeParam('until', q.until),
          limit,
          offset,
        };
        const [rows, total] = await Promise.all([k.callLog.query(query), k.callLog.count(query)]);
        const succeeded = successTest();
        return {
          calls: rows.map((c) => ({
            ...c,
            at: new Date(c.at).toISOString(),
            refused: c.result ? c.result !== 'ok' : !succeeded(c.front, c.outcome, c.endpoint),
            // The upstream calls this process made while the call was being served (by time: the call log keeps no link).
            upstream: k.metrics.recentUpstream
              .filter((u) => u.startedAt >= c.at - c.latencyMs - 5 && u.startedAt + u.ms <= c.at + 5)
              .map((u) => ({ upstream: u.upstream, outcome: u.outcome, ms: Math.round(u.ms * 10) / 10 })),
          })),
          total,
          limit,
          offset,
        };
      });

      api.get('/chart', async (request) => {
        const q = request.query as { range?: string };
        // Per minute, over the last hour or the last day.
        const bucketMs = 60_000;
        const until = (Math.floor(k.core.clock.now() / bucketMs) + 1) * bucketMs;
        const since = until - (q.range === 'day' ? 1440 : 60) * bucketMs;
        const succeeded = successTest();
        const series: Record<string, { calls: number[]; refusals: number[] }> = {};
        const n = (until - since) / bucketMs;
        for (const c of await k.callLog.counts(since, until, bucketMs)) {
          const s = slot(series, c.front, () => ({ calls: new Array(n).fill(0), refusals: new Array(n).fill(0) }));
          const i = (c.bucket - since) / bucketMs;
          if (i < 0 || i >= n) continue;
          s.calls[i]! += c.calls;
          if (c.result ? c.result !== 'ok' : !succeeded(c.front, c.outcome, c.endpoint)) s.refusals[i]! += c.calls;
        }
        return { since, bucketMs, buckets: n, series };
      });

      api.get('/sandbox/journal', async (request, reply) => {
        if (!journal) return reply.code(404).send({ error: { kind: 'NotFound', message: 'the sandbox runs only in sandbox mode' } });
        const q = request.query as { service?: string; limit?: string };
        return {
          entries: journal
            .list({ ...(q.service ? { service: q.service } : {}), limit: Math.min(Number(q.limit ?? 50) || 50, 200) })
            .map((e) => ({ ...e, at: new Date(e.at).toISOString() })),
        };
      });
      api.delete('/sandbox/journal', async (_request, reply) => {
        if (!journal) return reply.code(404).send({ error: { kind: 'NotFound', message: 'the sandbox runs only in sandbox mode' } });
        return { deleted: journal.clear() };
      });
    },
    { prefix: '/console/api' },
  );
}

/**
 * Whether a front's outcome is a success, from its console declaration (a front without one: every
 * call is); only for call-log rows logged before the shared `result` was (migration 012).
 */
function successTest() {
  const tests = new Map(fronts.map((f) => [f.name as string, f.console?.succeeded]));
  return (front: string, outcome: string, endpoint: string) => tests.get(front)?.(outcome, endpoint) ?? true;
}

interface MetricJson {
  name: string;
  values: { labels: Record<string, string | number>; value: number; metricName?: string }[];
}

/** The figures at a glance, from the same registry `/metrics` exposes (this process's counts since it started). */
async function overview(k: Kaifang) {
  const metrics = (await k.metrics.registry.getMetricsAsJSON()) as unknown as MetricJson[];
  const byName = new Map(metrics.map((m) => [m.name, m]));
  const frontFigures: Record<
    string,
    { requests: number; refusals: Record<string, number>; p99Seconds: number | null; buckets: Record<string, number> }
  > = {};
  for (const v of byName.get('kaifang_requests_total')?.values ?? []) {
    const front = String(v.labels.front);
    const f = slot(frontFigures, front, () => ({ requests: 0, refusals: {}, p99Seconds: null, buckets: {} }));
    f.requests += v.value;
    const outcome = String(v.labels.outcome);
    if (v.labels.result !== 'ok') f.refusals[outcome] = (f.refusals[outcome] ?? 0) + v.value;
  }
  for (const v of byName.get('kaifang_request_duration_seconds')?.values ?? []) {
    if (v.metricName !== 'kaifang_request_duration_seconds_bucket') continue;
    const front = String(v.labels.front);
    const f = slot(frontFigures, front, () => ({ requests: 0, refusals: {}, p99Seconds: null, buckets: {} }));
    const le = String(v.labels.le);
    f.buckets[le] = (f.buckets[le] ?? 0) + v.value;
  }
  for (const f of Object.values(frontFigures)) {
    const bounds = Object.entries(f.buckets)
      .map(([le, count]) => [le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le), count] as const)
      .sort((a, b) => a[0] - b[0]);
    const total = bounds.at(-1)?.[1] ?? 0;
    // The upper bound of the bucket the 99th percentile falls in (as Prometheus's histogram_quantile bounds it).
    const at = bounds.find(([, count]) => count >= total * 0.99);
    f.p99Seconds = total > 0 && at ? (Number.isFinite(at[0]) ? at[0] : (bounds.at(-2)?.[0] ?? null)) : null;
  }
  const upstream: Record<string, Record<string, number>> = {};
  for (const v of byName.get('kaifang_upstream_calls_total')?.values ?? []) {
    const u = slot(upstream, String(v.labels.upstream), (): Record<string, number> => ({}));
    u[String(v.labels.outcome)] = (u[String(v.labels.outcome)] ?? 0) + v.value;
  }
  const c = k.config;
  const window = Math.floor(Date.now() / BEAT_MS) - 1;
  const processes = Number((await k.core.state.incr(beatKey(window), BEAT_MS * 3).catch(() => 1)) - 1);
  if (processes >= 0) await k.core.state.decr(beatKey(window)).catch(() => undefined);
  return {
    at: new Date(k.core.clock.now()).toISOString(),
    processId: processIdentity,
    info: {
      version,
      store: k.store.sqlitePath
        ? { kind: 'sqlite', where: k.store.sqlitePath }
        : { kind: 'postgresql', where: redactUrl(c.databaseUrl ?? '') },
      state: k.core.state.backend,
      mode: c.upstreamMode,
      processes: processes > 0 ? processes : null,
      uptimeSeconds: Math.round(process.uptime()),
    },
    fronts: Object.fromEntries(
      Object.entries(frontFigures).map(([name, f]) => [name, { requests: f.requests, refusals: f.refusals, p99Seconds: f.p99Seconds }]),
    ),
    upstream,
  };
}

const processIdentity = randomUUID();
const version = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** `record[key]`, made first when missing. */
function slot<T>(record: Record<string, T>, key: string, make: () => T): T {
  let value = record[key];
  if (value === undefined) {
    value = make();
    record[key] = value;
  }
  return value;
}
