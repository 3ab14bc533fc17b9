import { buildApp } from '../server/app.js';
import { redactUrl } from '../server/config.js';
import { createKaifang } from '../server/kaifang.js';
import { configFrom, fail, intOption } from './context.js';
export const demoSeeders = [];
/** How long in-flight requests may take to finish after SIGTERM/SIGINT. */
const SHUTDOWN_GRACE_MS = 10_000;
export function serveCommand(program) {
    program
        .command('serve')
        .description('run the server (SQLite in the data directory and sandbox upstreams unless configured otherwise)')
        .option('--port <port>', 'TCP port (KAIFANG_PORT)', intOption('--port'))
        .option('--host <host>', 'address to listen on (KAIFANG_HOST)')
        .option('--data-dir <dir>', 'data directory (KAIFANG_DATA_DIR)')
        .option('--demo', 'seed demo credentials for each front and print ready-to-paste requests')
        .action(async (options) => {
        try {
            await serve(options);
        }
        catch (err) {
            fail(err);
        }
    });
}
async function serve(options) {
    const config = configFrom(options);
    if (options.demo && config.upstreamMode !== 'sandbox') {
        throw new Error('--demo seeds demo credentials and prints their secrets: it is for sandbox mode only (KAIFANG_UPSTREAM=sandbox)');
    }
    const k = await createKaifang(config);
    const app = await buildApp(k);
    const address = await app.listen({ port: config.port, host: config.host });
    const port = app.server.address() && typeof app.server.address() === 'object' ? app.server.address().port : config.port;
    k.setListenUrl(`http://${config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host}:${port}`);
    const baseUrl = k.selfUrl();
    const lines = [
        `kaifang listening on ${address}`,
        `  store:        ${k.store.dialect === 'sqlite' ? k.store.sqlitePath : redactUrl(config.databaseUrl ?? '')}`,
        `  state:        ${k.state.backend === 'redis' ? redactUrl(config.redisUrl ?? '') : 'in the database'}`,
        `  upstreams:    ${config.upstreamMode}`,
        `  master key:   ${k.bootstrap.masterKeySource}`,
        `  admin token:  ${k.bootstrap.adminTokenSource}  (Authorization: Bearer <token> on ${baseUrl}/admin/api)`,
        `  API document: ${baseUrl}/openapi.json`,
        ...k.bootstrap.created.map((f) => `  created ${f} (mode 0600); keep it safe`),
        `first credential: npx kaifang opretail keys create --username demo --enterprise-id 1`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
    if (options.demo) {
        for (const seed of demoSeeders)
            process.stdout.write((await seed(k, baseUrl)) + '\n');
    }
    const stop = async (signal) => {
        k.log.info({ signal }, 'shutting down');
        const closing = app.close();
        // In-flight requests get a grace period; a keep-alive connection that turns idle after close
        // began would otherwise hold shutdown for Fastify's 72 s keep-alive timeout.
        setTimeout(() => app.server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
        await closing;
        await k.close();
        process.exit(0);
    };
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
}
