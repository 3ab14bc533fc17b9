import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { redactUrl, splitHostPort } from '../kernel/settings.ts';
import type { FastifyInstance } from 'fastify';
import type { DemoContext } from '../fronts/kit/front.ts';
import { unknownVariables, type Config } from '../server/config.ts';
import type { Kaifang } from '../server/kaifang.ts';
import { KAIFANG_VERSION } from '../kernel/version.ts';
import { stopOnSignals } from './stop.ts';
import { configFrom, fail } from './context.ts';

interface ServeOptions {
  port?: number;
  host?: string;
  dataDir?: string;
  demo?: boolean;
  json?: boolean;
}

/** `--port`: a TCP port, named when it is not one. */
function portOption(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65_535) throw new InvalidArgumentError(`--port must be a TCP port from 0 to 65535, got "${value}"`);
  return n;
}

/**
 * How a printed `kaifang` command reaches this server's store from any directory: the absolute
 * data directory, or (PostgreSQL) a reminder that the command needs the server's settings.
 */
function storeFlags(config: Config): { flags: string; note: string } {
  if (config.databaseUrl)
    return { flags: '', note: " (run it with this server's DATABASE_URL, KAIFANG_DB_SCHEMA and KAIFANG_MASTER_KEY set)" };
  return { flags: ` --data-dir ${resolve(config.dataDir)}`, note: '' };
}

/** What a front's demo is told about this server. */
export function demoContext(k: Kaifang, baseUrl: string): DemoContext {
  return {
    baseUrl,
    adminToken: k.bootstrap.adminTokenSource === 'KAIFANG_ADMIN_TOKEN' ? '$KAIFANG_ADMIN_TOKEN' : `$(cat ${k.bootstrap.adminTokenSource})`,
    cliFlags: storeFlags(k.config).flags,
    clock: k.core.clock,
  };
}

/** `serve --demo`: every front seeds its demo credentials and says how to use them. */
export async function demoText(k: Kaifang, baseUrl: string): Promise<string> {
  const ctx = demoContext(k, baseUrl);
  const parts: string[] = [];
  for (const front of k.bound) {
    if (front.demo) parts.push(await front.demo(ctx));
  }
  return parts.join('\n');
}

export function serveCommand(program: Command): void {
  program
    .command('serve')
    .description('run the server (SQLite in the data directory and sandbox upstreams unless configured otherwise)')
    .option('--port <port>', 'TCP port (KAIFANG_PORT)', portOption)
    .option('--host <host>', 'address to listen on (KAIFANG_HOST)')
    .option('--data-dir <dir>', 'data directory (KAIFANG_DATA_DIR)')
    .option('--demo', 'seed demo credentials for each front and print ready-to-paste requests')
    .option('--json', 'print the start-up banner as one JSON line')
    .action(async (options: ServeOptions) => {
      try {
        await serve(options);
      } catch (err) {
        fail(err);
      }
    });
}

async function serve(options: ServeOptions): Promise<void> {
  const config = configFrom(options);
  if (options.demo && config.upstreamMode !== 'sandbox') {
    throw new Error('--demo seeds demo credentials and prints their secrets: it is for sandbox mode only (KAIFANG_UPSTREAM=sandbox)');
  }
  // A reader of stdout or stderr that went away (a parent that exited, `| head`) must not stop the
  // server: the log stops (logDestination.ts), the rest carries on.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  // The server is loaded here rather than on import: every other command answers without it.
  const [{ createKaifang }, { buildApp }, { buildAdminApp }] = await Promise.all([
    import('../server/kaifang.ts'),
    import('../server/app.ts'),
    import('../server/adminApp.ts'),
  ]);
  const k = await createKaifang(config);
  const app = await buildApp(k);
  const address = await app.listen({ port: config.port, host: config.host });
  let adminApp: FastifyInstance | undefined;
  let adminAddress: string | undefined;
  if (config.adminListen) {
    adminApp = await buildAdminApp(k);
    adminAddress = await adminApp.listen(splitHostPort(config.adminListen));
  }
  const port =
    app.server.address() && typeof app.server.address() === 'object' ? (app.server.address() as { port: number }).port : config.port;
  k.setListenUrl(`http://${config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host}:${port}`);
  const baseUrl = k.selfUrl();

  const store = storeFlags(config);
  const adminBase = adminAddress ?? baseUrl;
  const banner = {
    listening: address,
    version: KAIFANG_VERSION,
    store:
      k.store.dialect === 'sqlite'
        ? k.store.sqlitePath!
        : `${redactUrl(config.databaseUrl ?? '')} (schema ${config.databaseSchema ?? 'from the search path: KAIFANG_DB_SCHEMA unset'})`,
    state: k.core.state.backend === 'redis' ? `${redactUrl(config.redisUrl ?? '')} (key prefix ${config.redisPrefix})` : 'in the database',
    upstreams: config.upstreamMode,
    masterKey: k.bootstrap.masterKeySource,
    adminToken: k.bootstrap.adminTokenSource,
    adminApi: `${adminBase}/admin/api`,
    metrics: `${adminBase}/metrics${config.metricsToken ? ' (Bearer KAIFANG_METRICS_TOKEN)' : ''}`,
    openapi: `${baseUrl}/openapi.json`,
    created: k.bootstrap.created,
    firstCredential: `npx kaifang opretail keys create --username demo --enterprise-id 1${store.flags}${store.note}`,
    warnings: unknownVariables(process.env).map(
      (v) => `${v.name} is not a kaifang setting${v.nearest ? `; did you mean ${v.nearest}?` : ''} (it is ignored)`,
    ),
  };
  for (const warning of banner.warnings) k.log.warn({ variable: warning.split(' ')[0] }, warning);
  const lines = [
    `kaifang listening on ${address}`,
    `  version:      ${banner.version}`,
    `  store:        ${banner.store}`,
    `  state:        ${banner.state}`,
    `  upstreams:    ${banner.upstreams}`,
    `  master key:   ${banner.masterKey}`,
    `  admin token:  ${banner.adminToken}  (Authorization: Bearer <token> on ${banner.adminApi})`,
    `  metrics:      ${banner.metrics}`,
    `  API document: ${banner.openapi}`,
    ...banner.created.map((f) => `  created ${f} (mode 0600); keep it safe`),
    ...banner.warnings.map((w) => `  warning: ${w}`),
    `first credential: ${banner.firstCredential}`,
  ];
  // The handlers go in before the banner: whoever waits for the banner (systemd, a test, a
  // supervisor) may signal at once, and a signal before them would kill the process ungracefully.
  stopOnSignals(k, adminApp ? [app, adminApp] : [app]);
  process.stdout.write(options.json ? JSON.stringify(banner) + '\n' : lines.join('\n') + '\n');
  if (options.demo) process.stdout.write((await demoText(k, baseUrl)) + '\n');
}
