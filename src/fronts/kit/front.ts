import type { Command } from 'commander';
import type { FastifyPluginAsync } from 'fastify';
import type { Migration } from 'kysely';
import type { Clock } from '../../kernel/clock.ts';
import type { Core } from '../../core/platform.ts';
import type { Database } from '../../store/schema.ts';
import type { SettingsTable, SettingsValues } from '../../kernel/settings.ts';
import type { CliRunner } from './cli.ts';
import type { FrontConsole } from './console.ts';
import type { OpenApiFragment } from './openapi.ts';

/** One API call as the metrics and the call log see it. */
export interface CallOutcome {
  front: string;
  endpoint: string;
  /** The credential's public id (developer key, agent id, …); never a secret. */
  credential: string | null;
  /** The front's own outcome code, as text. */
  outcome: string;
  /** `process.hrtime.bigint()` when the request started. */
  startedAt: bigint;
  requestId: string;
}

/** What the platform hands every front's routes besides the front's own services. */
export interface FrontContext {
  readonly clock: Clock;
  /** The largest request body (KAIFANG_BODY_LIMIT), to name it when refusing a larger one. */
  readonly bodyLimit: number;
  /** Sandbox mode: refusals may say more (the string that should have been signed). */
  readonly sandbox: boolean;
  /** Counts an API call in the metrics and writes its call-log row: once per call. */
  observe(call: CallOutcome): void;
}

/** A request refused before it reached the front's routes, or by them for the HTTP layer's reasons. */
export interface WireRefusal {
  /** The HTTP status the refusal calls for: 400 unreadable framing, 404 no such path, 405 method, 408 too slow, 413 body too large, 431 header too large. */
  status: number;
  /** What is wrong, in words a developer can act on. */
  message: string;
  /** The path as received, without the query string. */
  path: string;
  /** The raw query string (`_format=xml` and the like may decide the reply's shape). */
  query: string;
  requestId: string;
  /** The platform's time, ms. */
  now: number;
}

/** A reply rendered outside Fastify's routing (the server may write it to a bare socket). */
export interface RenderedReply {
  status: number;
  contentType: string;
  body: string;
}

export interface FrontPluginOptions<S> {
  services: S;
  ctx: FrontContext;
}

/** What `serve --demo` tells a front. */
export interface DemoContext {
  /** Where this server answers, e.g. http://127.0.0.1:8080. */
  baseUrl: string;
  /** The admin token as a shell word: `$KAIFANG_ADMIN_TOKEN` or `$(cat data/admin.token)`. */
  adminToken: string;
  /** ` --data-dir …` when not the default, for printed `kaifang` commands. */
  cliFlags: string;
  clock: Clock;
}

/** A front's part of the store. */
export interface FrontStore {
  /**
   * Its migrations by name. Names share one order with the platform's and every other front's
   * (Kysely sorts by name): a new one takes the next free number across all of them.
   */
  readonly migrations: Readonly<Record<string, Migration>>;
  /** Its durable tables, parents before children: `kaifang store copy` copies them in this order. */
  readonly tables: readonly (keyof Database)[];
}

/**
 * Everything that is one front's, as one value: its name (the admin API mounts its admin routes at
 * `/admin/api/<name>`, the CLI its commands under `kaifang <name>`), its settings, how it builds
 * its services from the core, its wire routes, admin routes, OpenAPI fragments, CLI commands and
 * demo seed. The HTTP app, the admin API, the OpenAPI document, the CLI and `serve --demo` each
 * loop over the list in fronts/index.ts.
 */
export interface Front<Name extends string = string, S = unknown, Settings extends SettingsTable = SettingsTable> {
  readonly name: Name;
  /** One line: what it is, for `kaifang --help`. */
  readonly title: string;
  /** Its own settings (`KAIFANG_<NAME>_*`), read at start-up with the platform's. */
  readonly settings: Settings;
  /** Its tables and migrations. */
  readonly store?: FrontStore;
  /** Builds the front's services, once per process; the routes, admin API, CLI and demo share them. */
  services(core: Core, settings: SettingsValues<Settings>): S;
  /** The wire protocol: an encapsulated plugin with its own parsers and error shapes. */
  readonly routes?: FastifyPluginAsync<FrontPluginOptions<S>>;
  /**
   * Path prefixes of its wire API (`/m.api`, `/Mch/`): a request the HTTP layer refuses on one of
   * them (broken framing, an oversize header, a stalled body, no such path or method) is answered
   * by `refuse`, in the front's documented shape rather than the framework's.
   */
  readonly paths?: readonly string[];
  refuse?(refusal: WireRefusal): RenderedReply;
  /** Operator routes, mounted at `/admin/api/<name>` behind the admin token. */
  readonly admin?: FastifyPluginAsync<FrontPluginOptions<S>>;
  /** Its parts of the OpenAPI document (wire and admin). */
  readonly openapi: readonly OpenApiFragment[];
  /** Adds its commands to `kaifang <name>`. */
  cli?(command: Command, run: CliRunner<S>): void;
  /** Seeds demo credentials (once) and returns ready-to-paste requests. */
  demo?(services: S, ctx: DemoContext): Promise<string>;
  /** Its pages in the operator console (kit/console.ts); its debugger page is its `debugger.ts`. */
  readonly console?: FrontConsole;
  /** Public settings the debugger needs to redo its checks (`/debugger/api/info`): never a secret. */
  debuggerInfo?(services: S): Record<string, unknown>;
}

/** Declares a front; only for the compiler to keep its name and types exact. */
export function defineFront<const Name extends string, S, const Settings extends SettingsTable>(
  front: Front<Name, S, Settings>,
): Front<Name, S, Settings> {
  return front;
}
