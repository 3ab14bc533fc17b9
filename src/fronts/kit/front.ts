import type { Command } from 'commander';
import type { FastifyPluginAsync } from 'fastify';
import type { Migration } from 'kysely';
import type { Clock } from '../../kernel/clock.ts';
import type { Core } from '../../core/platform.ts';
import type { CallResult } from '../../core/callLog.ts';
import type { Database } from '../../store/schema.ts';
import type { SettingsTable, SettingsValues } from '../../kernel/settings.ts';
import type { CliOptions, CliRunner } from './cli.ts';
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
  /** The same words on every front: ok, refused, upstream_error, error. */
  result: CallResult;
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

/**
 * A request the front did not get to answer itself: refused by the HTTP layer (framing, path,
 * method, size, time) or failed inside kaifang. The front's `refuse` answers every one of them in
 * its documented shape — the server's and the kit's alike — so its refusal shape is written once.
 */
export interface WireRefusal {
  /**
   * The HTTP status the refusal calls for: 400 unreadable framing, 404 no such path, 405 method,
   * 408 too slow, 413 body too large, 415 a content type nothing reads, 431 header too large,
   * 500 kaifang's own failure, 503 the process is stopping.
   */
  status: number;
  /**
   * The request reached one of the front's routes (its body or content type could not be read, or
   * kaifang failed while answering it), as opposed to being refused before any route took it.
   * Fronts whose clients read the code from the body answer the first kind with HTTP 200.
   */
  routed: boolean;
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
  /** The front's own outcome code as text, for the metrics and the call log. */
  outcome: string;
}

export interface FrontPluginOptions<S> {
  services: S;
  ctx: FrontContext;
  /** The front's own descriptor: its name and `refuse`, for `frontWire`. */
  front: { readonly name: string; refuse?(refusal: WireRefusal): RenderedReply };
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
 * The light part of a front (its folder's manifest.ts): what the settings, the store and the CLI
 * need, importing nothing of the front's wire, admin routes or domain. `kaifang --help` and the
 * store's migration check read every front's manifest; a command loads only its own front's CLI
 * (`cli`), so an operator command answers without loading the server. The front's full
 * descriptor (index.ts) spreads its manifest.
 */
export interface FrontManifest<Name extends string = string, S = unknown, Settings extends SettingsTable = SettingsTable> {
  readonly name: Name;
  /** One line: what it is, for `kaifang --help`. */
  readonly title: string;
  /** Its own settings (`KAIFANG_<NAME>_*`), read at start-up with the platform's. */
  readonly settings: Settings;
  /** Its tables and migrations. */
  readonly store?: FrontStore;
  /** Its commands under `kaifang <name>`, loaded only when that command runs. */
  readonly cli?: () => Promise<FrontCli<S, Settings>>;
}

/** A front's CLI: its commands and how they build its services (the same function the server uses). */
export interface FrontCli<S = unknown, Settings extends SettingsTable = SettingsTable> {
  services(core: Core, settings: SettingsValues<Settings>): S;
  commands(command: Command, run: CliRunner<S>): void;
}

/** Declares a front's manifest, keeping its name and types exact. */
export function defineManifest<const Name extends string, S, const Settings extends SettingsTable>(
  manifest: FrontManifest<Name, S, Settings>,
): FrontManifest<Name, S, Settings> {
  return manifest;
}

/**
 * Adds a front's commands under `command` (`kaifang <name>`), loading its CLI first: each runs in
 * `shell` with the front's services built from the core.
 */
export async function addFrontCommands<S, Settings extends SettingsTable>(
  command: Command,
  front: FrontManifest<string, S, Settings>,
  shell: CliShell<SettingsValues<Settings>>,
): Promise<void> {
  const cli = await front.cli?.();
  cli?.commands(command, (cmd, options, body) => shell.run(cmd, options, (core, settings) => body(cli.services(core, settings))));
}

/**
 * Everything that is one front's, as one value: its name (the admin API mounts its admin routes at
 * `/admin/api/<name>`, the CLI its commands under `kaifang <name>`), its settings, its tables and
 * migrations, how it builds its services from the core, its wire routes, admin routes, OpenAPI
 * fragments, CLI commands and demo seed. A front's folder declares it with `defineFront`; the HTTP
 * app, the admin API, the OpenAPI document, the CLI and `serve --demo` loop over fronts/index.ts.
 */
export interface FrontSpec<Name extends string = string, S = unknown, Settings extends SettingsTable = SettingsTable>
  extends FrontManifest<Name, S, Settings> {
  /** Builds the front's services, once per process; the routes, admin API, CLI and demo share them. */
  services(core: Core, settings: SettingsValues<Settings>): S;
  /** The wire protocol: an encapsulated plugin with its own parsers and error shapes (kit/wire.ts). */
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
  /** Seeds demo credentials (once) and returns ready-to-paste requests. */
  demo?(services: S, ctx: DemoContext): Promise<string>;
  /** Its pages in the operator console (kit/console.ts); its debugger page is its `debugger.ts`. */
  readonly console?: FrontConsole;
  /** Public settings the debugger needs to redo its checks (`/debugger/api/info`): never a secret. */
  debuggerInfo?(services: S): Record<string, unknown>;
}

/** The plugins of a bound front take only the platform's context: the services are already in them. */
export type BoundPlugin = FastifyPluginAsync<{ ctx: FrontContext }>;

/** A front bound to this process's core: its services built once, and what needs them closed over them. */
export interface BoundFront<Name extends string = string, S = unknown> {
  readonly name: Name;
  readonly services: S;
  readonly routes?: BoundPlugin;
  readonly admin?: BoundPlugin;
  demo?(ctx: DemoContext): Promise<string>;
  /** Public settings the debugger needs to redo its checks: never a secret. */
  debuggerInfo?(): Record<string, unknown>;
}

/**
 * What the CLI shell gives a front's commands: open kaifang on the store `options` name, run
 * `body` with the core and the settings, close, and report an error as one line naming the option
 * at fault. Only the commands' own front's services are then built.
 */
export interface CliShell<Values> {
  run(command: Command, options: CliOptions, body: (core: Core, settings: Values) => Promise<void>): Promise<void>;
}

/** A declared front: its spec, and the binding the platform uses without knowing its services' type. */
export interface Front<Name extends string = string, S = unknown, Settings extends SettingsTable = SettingsTable>
  extends FrontSpec<Name, S, Settings> {
  bind(core: Core, settings: SettingsValues<Settings>): BoundFront<Name, S>;
}

/** Declares a front: keeps its name and types exact, and binds its services to its plugins and demo once. */
export function defineFront<const Name extends string, S, const Settings extends SettingsTable>(
  spec: FrontSpec<Name, S, Settings>,
): Front<Name, S, Settings> {
  return {
    ...spec,
    bind(core, settings) {
      const services = spec.services(core, settings);
      const plugin = (p: FastifyPluginAsync<FrontPluginOptions<S>> | undefined): BoundPlugin | undefined =>
        p && ((app, { ctx }) => p(app, { services, ctx, front: spec }));
      const { demo, debuggerInfo } = spec;
      return {
        name: spec.name,
        services,
        ...(spec.routes ? { routes: plugin(spec.routes) } : {}),
        ...(spec.admin ? { admin: plugin(spec.admin) } : {}),
        ...(demo ? { demo: (ctx: DemoContext) => demo(services, ctx) } : {}),
        ...(debuggerInfo ? { debuggerInfo: () => debuggerInfo(services) } : {}),
      };
    },
  };
}
